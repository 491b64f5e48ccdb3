/**
 * The local event broker: the Knative Broker/Trigger contract on one machine. {@link LocalBroker} loads the
 * Trigger manifests under {@code knative/} (the same files Knative Eventing reads on a cluster), accepts
 * CloudEvents on its HTTP {@link Ingress}, delivers them to matching Triggers' subscribers with retries,
 * exponential backoff and a dead-letter sink, re-injects replies, and records everything in its
 * {@link EventLog}; it starts the functions as processes and scales some to zero when idle. It imports no
 * application code, so a real Knative Broker replaces it without touching the functions. {@link Main} is its
 * command line (picocli; one command class per subcommand). The dead-letter sink, a production image of its own,
 * is in {@link dev.cnai.broker.deadletter}.
 */
package dev.cnai.broker;
