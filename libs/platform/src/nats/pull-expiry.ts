/**
 * How long a JetStream pull request lives. The server sends heartbeats every half of it, and
 * the client re-pulls after two are missed, so this bounds how long a consumer sits idle when
 * its pull was lost. In a cluster that happens whenever the consumer's leader moves to another
 * server (a node killed, partitioned or restarted): with the library's 30 s default, hosts
 * stood still for 33–46 s after a node was killed (test/faults/nats-cluster.fault-spec.ts).
 * The price is one pull request per consumer per 5 s while nothing arrives.
 */
export const PULL_EXPIRES_MS = 5_000;
