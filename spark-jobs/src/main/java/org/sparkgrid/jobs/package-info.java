package org.sparkgrid.jobs;
