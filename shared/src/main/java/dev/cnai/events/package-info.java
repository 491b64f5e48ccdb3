/**
 * The wire types of the pipeline: the event catalogue ({@link EventTypes}, every CloudEvent type defined once,
 * documented in {@code docs/events.md} and routed by the Trigger manifests in {@code knative/}), one record per
 * event's {@code data}, their JSON Schemas, and {@link EventCodec}, which checks {@code data} against its type's
 * schema before binding it to the record. Events carry claim checks ({@code {uri, digest, size}} references), never
 * the data itself; an {@link OutgoingEvent} has a deterministic id so that a redelivered input re-emits
 * byte-identical events.
 */
package dev.cnai.events;
