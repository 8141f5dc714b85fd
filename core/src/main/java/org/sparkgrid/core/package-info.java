package org.sparkgrid.core;
