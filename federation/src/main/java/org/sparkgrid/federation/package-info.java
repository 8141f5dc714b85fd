package org.sparkgrid.federation;
