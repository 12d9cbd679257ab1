import { createHash } from 'node:crypto';
import type { AclRule } from '../../model/host-state.js';
import { memo } from './flows.js';
import { EXT, ext } from './ovsdb-commands.js';

/**
 * How a port's ACL rules are kept in OVSDB for the read-back (previous state, hit counters,
 * drift). Each rule's content is stored once per bridge, in the Bridge's external_ids under a
 * hash of that content (`poolnet-acl-rule-<hash>`), and each port keeps only the hashes of its
 * rules, in order (EXT.aclRules). A network rule is the same rule on every port, so a change
 * touching 1,000 ports writes ~200 bytes per port instead of the port's whole rule list as JSON
 * (~2.2 MB for 10 rules, which every ovs-vsctl call of the change then read back too). Keys are
 * by content, not by rule id, so two ports holding different contents under one id never share
 * a record. Records no port refers to any more are removed by the drift sweep.
 *
 * Ports written before this (their whole list as JSON under EXT.acls) still read back as they
 * are; the next write of their ACLs replaces that key.
 */
const RULE_KEY = 'poolnet-acl-rule-';

/** The hash a rule's JSON content is stored under (memoized: the same rule on many ports). */
const hashOf = memo((json) => createHash('sha256').update(json).digest('hex').slice(0, 16));

/**
 * OVSDB commands writing a port's ACL records: its rules' contents on the bridge (identical for
 * every port with that rule: see isSharedRecord), then its own list of hashes.
 */
export function aclRecordCommands(
  bridge: string,
  port: string,
  acls: readonly AclRule[],
  extra: string[],
): string[][] {
  const stored = acls.map((rule) => {
    const json = JSON.stringify(rule);
    return { json, hash: hashOf(json) };
  });
  const shared = [...new Map(stored.map((s) => [s.hash, s.json]))].map(([hash, json]) => [
    'set',
    'Bridge',
    bridge,
    ext(`${RULE_KEY}${hash}`, json),
  ]);
  return [
    ...shared,
    ['remove', 'Interface', port, 'external_ids', EXT.acls],
    ['set', 'Interface', port, ext(EXT.aclRules, stored.map((s) => s.hash).join(' ')), ...extra],
  ];
}

/**
 * A rule's record on its bridge is the same command for every port holding the rule, and always
 * the same value under the same key, so a transaction needs it once: later repeats are dropped.
 */
export function withoutRepeatedRecords<T extends { step: string[] }>(commands: T[]): T[] {
  const seen = new Set<string>();
  return commands.filter(({ step }) => {
    const isRecord = step[0] === 'set' && step[1] === 'Bridge' && !!step[3]?.startsWith(RECORD);
    if (!isRecord) return true;
    const key = `${step[2]} ${step[3]}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

const RECORD = `external_ids:${RULE_KEY}`;

/** The rules stored on a bridge (its external_ids), by hash; parsed when asked for. */
export class BridgeAclRecords {
  private readonly parsed = new Map<string, AclRule>();

  constructor(private readonly externalIds: ReadonlyMap<string, string>) {}

  /**
   * A port's rules from its external_ids, in order; undefined when a hash it names has no
   * record on the bridge (then its flows cannot be known as written).
   */
  portRules(portExternalIds: ReadonlyMap<string, string>): AclRule[] | undefined {
    const refs = portExternalIds.get(EXT.aclRules);
    if (refs === undefined) {
      const old = portExternalIds.get(EXT.acls);
      return old === undefined ? [] : (JSON.parse(old) as AclRule[]);
    }
    const rules: AclRule[] = [];
    for (const hash of refs.split(' ').filter(Boolean)) {
      const rule = this.rule(hash);
      if (!rule) return undefined;
      rules.push(rule);
    }
    return rules;
  }

  private rule(hash: string): AclRule | undefined {
    let rule = this.parsed.get(hash);
    if (rule === undefined) {
      const json = this.externalIds.get(`${RULE_KEY}${hash}`);
      if (json === undefined) return undefined;
      rule = JSON.parse(json) as AclRule;
      this.parsed.set(hash, rule);
    }
    // Shared by the ports holding it: read-back state is a value nobody changes in place.
    return rule;
  }
}

/** The bridge's rule records that none of `ports` (their external_ids) refers to any more. */
export function unreferencedRecords(
  bridgeExternalIds: ReadonlyMap<string, string>,
  ports: readonly ReadonlyMap<string, string>[],
): string[] {
  const referenced = new Set(
    ports.flatMap((e) => (e.get(EXT.aclRules) ?? '').split(' ').filter(Boolean)),
  );
  return [...bridgeExternalIds.keys()].filter(
    (key) => key.startsWith(RULE_KEY) && !referenced.has(key.slice(RULE_KEY.length)),
  );
}
