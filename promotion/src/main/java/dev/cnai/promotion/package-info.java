/**
 * Knative canary rollout and rollback of infer, used by register and the CLI: {@link KnativeRollout} rolls the
 * infer Knative Service to a revision pinned to the model digest and moves traffic to it through canary steps,
 * or back to the previous revision (fabric8 Knative client).
 */
package dev.cnai.promotion;
