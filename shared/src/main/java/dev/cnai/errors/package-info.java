/**
 * The error model: {@link CnaiException} is the base of every domain exception (one subclass per domain, with
 * factory methods) and carries an {@link ErrorKind}, which says what went wrong independent of transport; the
 * function support module maps kinds to HTTP statuses in exactly one place.
 */
package dev.cnai.errors;
