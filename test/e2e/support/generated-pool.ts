import { type PoolCommandType } from '@pool/domain';
import { PoolWriter, random } from '../../../bench/project-events.js';

/**
 * The bench's realistic pool (hosts, VLAN networks, VMs with VIFs, rules, mirrors, then churn:
 * starts, stops, migrations, renames, VIF changes, deletions), as the list of commands that
 * made it, each one the decider accepted: sent in order to a real master, each is accepted
 * there too.
 */
export function generatedPoolCommands(
  pool: string,
  options: { hosts: number; vms: number; events: number; seed: number },
): { type: PoolCommandType; data: unknown }[] {
  const writer = new PoolWriter(pool, random(options.seed));
  const commands: { type: PoolCommandType; data: unknown }[] = [];
  const run = writer.run.bind(writer);
  writer.run = (type: PoolCommandType, data: never) => {
    const events = run(type, data);
    if (events.length > 0) commands.push({ type, data });
    return events;
  };
  writer.seed(options.hosts, options.vms);
  while (writer.events < options.events) writer.churn(options.hosts);
  return commands;
}
