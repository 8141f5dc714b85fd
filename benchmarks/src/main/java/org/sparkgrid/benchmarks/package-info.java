package org.sparkgrid.benchmarks;
