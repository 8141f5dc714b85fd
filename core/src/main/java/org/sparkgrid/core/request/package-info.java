/**
 * Training requests (schema 1): the records that describe one, and the codec that reads and checks
 * them.
 *
 * <p>Start with {@link org.sparkgrid.core.request.RequestCodec}: {@code parse} turns JSON into a
 * {@link org.sparkgrid.core.request.TrainingRequest} with every default filled in, or refuses it
 * with an {@link org.sparkgrid.core.request.InvalidRequestException} naming the field and the
 * value; {@code write}, {@code withOverrides} (one trial of a sweep) and {@code checkPaths} follow;
 * {@link org.sparkgrid.core.request.SweepTrials} expands a sweep into its trials.
 * {@link org.sparkgrid.core.request.StrategyCatalog} is how the codec checks
 * {@code federation.strategy} without knowing any strategy: the federation module provides it.
 * The records ({@code ModelSpec}, {@code DataSpec}, {@code TrainingSpec} ...) hold values only;
 * their javadoc gives each field's range and default.
 *
 * <p>Implementation, package-private: {@code RequestReader} (the walk, and the rules between
 * fields in {@code checkCrossFieldRules}), {@code RequestWriter}, {@code RequestFields} (each
 * field's rule, declared once) and {@code FieldRule}.
 */
package org.sparkgrid.core.request;
