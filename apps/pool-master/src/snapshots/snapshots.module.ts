import { Module } from '@nestjs/common';
import { SnapshotResponder } from './snapshot-responder.js';

/**
 * The pool snapshot subject (DESIGN §4). Relies on what the pool master's root module makes
 * global: its config, the event store, NATS and the metrics registry.
 */
@Module({ providers: [SnapshotResponder] })
export class SnapshotsModule {}
