import { HttpException, Inject, Injectable, Logger } from '@nestjs/common';
import {
  HOST_SENDER_ROLE,
  subjects,
  type CommandReply,
  type HypervisorHookAnswer,
  type LibvirtHookOperation,
} from '@pool/contracts';
import { NatsClient } from '@pool/platform';
import { randomUUID } from 'node:crypto';
import { errorMessage } from '../agent/serial.js';
import { MemberHostConfig } from '../config/member-host.config.js';
import { MemberHostService } from '../host/member-host.service.js';
import { readDomainIdentity } from './domain-xml.js';
import { decideHookCommand, type HookCommand } from './hook-decision.js';

export interface LibvirtHookCall {
  operation: LibvirtHookOperation;
  subOperation: string;
  extra: string;
  xml: string;
}

/** How long an answer waits for this host's replica to hold the command it sent. */
const READ_OWN_WRITE_MS = 1_000;

const refusal = (status: number, code: string, message: string) =>
  new HttpException({ statusCode: status, code, message }, status);

/**
 * Turns a call of libvirt's qemu hook on this host into the command it means to the pool
 * (hook-decision.ts) and sends it to the master over NATS as this host: subject role `host`,
 * user HOST_NAME, which the NATS server lets this host's user publish for those commands only
 * (deploy/nats/nats.conf) and the master holds to this host's own id. Bounded by
 * HOOK_COMMAND_TIMEOUT_MS; every outcome is logged here and answered to the hook, which logs it.
 */
@Injectable()
export class HypervisorHookService {
  private readonly logger = new Logger('LibvirtHook');

  constructor(
    @Inject(MemberHostConfig) private readonly config: MemberHostConfig,
    @Inject(NatsClient) private readonly nats: NatsClient,
    @Inject(MemberHostService) private readonly host: MemberHostService,
  ) {}

  async handle(call: LibvirtHookCall): Promise<HypervisorHookAnswer> {
    const { poolId: pool, hostName } = this.config;
    let identity;
    try {
      identity = readDomainIdentity(call.xml);
    } catch (error) {
      throw refusal(400, 'BAD_DOMAIN_XML', `The body is not a domain XML: ${errorMessage(error)}`);
    }
    const at = `libvirt ${call.operation} ${call.subOperation} of domain ${identity.name ?? '?'}`;
    if (identity.poolnet?.pool !== undefined && identity.poolnet.pool !== pool) {
      return this.skipped(null, `${at}: its metadata names pool ${identity.poolnet.pool}`);
    }
    const vmId = identity.poolnet?.vmId ?? identity.uuid;
    if (vmId === undefined) {
      return this.skipped(null, `${at}: no poolnet metadata and no UUID name a VM`);
    }
    const { state } = this.host.agent.replica;
    const decision = decideHookCommand(
      state,
      hostName,
      vmId,
      call.operation,
      call.extra,
      randomUUID,
    );
    if ('skip' in decision) return this.skipped(vmId, `${at}: ${decision.skip}`);
    return this.send(vmId, decision.command, `${at}: ${decision.reason}`);
  }

  private async replicaAt(version: number, withinMs: number): Promise<void> {
    const deadline = Date.now() + withinMs;
    while (this.host.agent.replica.version < version && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  private skipped(vmId: string | null, reason: string): HypervisorHookAnswer {
    this.logger.log(`${reason}; nothing sent`);
    return { vmId, outcome: 'skipped', reason };
  }

  private async send(
    vmId: string,
    command: HookCommand,
    reason: string,
  ): Promise<HypervisorHookAnswer> {
    const { poolId: pool, hostName, subjectRoot } = this.config;
    const subject = subjects(subjectRoot).command(pool, command.type, {
      role: HOST_SENDER_ROLE,
      user: hostName,
    });
    const body = JSON.stringify({ data: command.data, commandId: randomUUID() });
    let reply: CommandReply;
    try {
      const nc = await withTimeout(this.nats.connected(), this.config.hookCommandTimeoutMs);
      const message = await nc.request(subject, body, {
        timeout: this.config.hookCommandTimeoutMs,
      });
      reply = message.json<CommandReply>();
    } catch (error) {
      const message = `${reason}: ${command.type} not answered: ${errorMessage(error)}`;
      this.logger.warn(message);
      throw refusal(503, 'MASTER_UNREACHABLE', message);
    }
    const answer: HypervisorHookAnswer = { vmId, outcome: 'sent', command: command.type, reason };
    if (reply.ok) {
      const version = (reply.result as { version?: number }).version;
      this.logger.log(`${reason}: ${command.type} applied at version ${version}`);
      // libvirt's next call for this domain (started after start) is then judged on a replica
      // that holds this command, rather than sending it twice; bounded, never required.
      if (version !== undefined) await this.replicaAt(version, READ_OWN_WRITE_MS);
      return { ...answer, version };
    }
    this.logger.warn(
      `${reason}: ${command.type} refused (${reply.error.code}): ${reply.error.message}`,
    );
    return { ...answer, outcome: 'refused', code: reply.error.code };
  }
}

/** NatsClient.connected() waits for NATS forever; the hook must not. */
function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`NATS not connected within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
