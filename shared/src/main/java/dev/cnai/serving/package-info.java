/**
 * The serving logic behind infer's two front doors (the CloudEvent route and the Open Inference Protocol v2
 * REST API): {@link ModelServer} holds the production (or pinned) model's ONNX Runtime session and swaps it on
 * promotion; {@link DynamicBatcher} is a Triton-style dynamic batcher with djl-serving's contract (a pure batch
 * function; every accepted request completed or failed; a bounded queue that refuses when full); {@link OipCodec}
 * parses Open Inference Protocol requests with a streaming JSON reader straight into a float array and writes the
 * responses.
 */
package dev.cnai.serving;
