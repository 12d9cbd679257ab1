import { Command, CommanderError } from 'commander';
import { formatError, toCliError } from './cli/errors.js';
import { EXIT_CODES_HELP, ExitCode } from './cli/exit-codes.js';
import { addGlobalOptions } from './cli/global-options.js';
import { type CliIo } from './cli/io.js';
import { registerAcl } from './commands/acl.command.js';
import { registerAddressSet } from './commands/address-set.command.js';
import { registerBond } from './commands/bond.command.js';
import { registerEvents } from './commands/events.command.js';
import { registerHistory } from './commands/history.command.js';
import { registerHost } from './commands/host.command.js';
import { registerMirror } from './commands/mirror.command.js';
import { registerNetwork } from './commands/network.command.js';
import { registerPif } from './commands/pif.command.js';
import { registerPool } from './commands/pool.command.js';
import { registerSecurityGroup } from './commands/security-group.command.js';
import { registerStatus } from './commands/status.command.js';
import { registerVif } from './commands/vif.command.js';
import { registerVm } from './commands/vm.command.js';

const MAIN_HELP = `
Writes go to the pool master's REST API; list, show and status read the projection's read
API, falling back to the master's event log when the projection cannot answer (applied
versions are then unknown). Every mutating verb takes --wait: it returns only once every
enabled host applied the change, with a progress bar of hosts on a terminal; if the wait times
out, a verb that created something still prints its id. A VM, network, host, security group
or address set is given by its id or, when no other of its kind has it, by its name (an id
always wins over a name).

Environment:
  POOLNET_MASTER      --master      (default http://127.0.0.1:3000)
  POOLNET_PROJECTION  --projection  (default http://127.0.0.1:8080)
  POOLNET_TOKEN       --token       sent as "Authorization: Bearer", never printed
  POOLNET_POOL        --pool
${EXIT_CODES_HELP}

Examples:
  $ export POOLNET_POOL=lab
  $ poolctl pool create lab --name "Lab pool"
  $ poolctl host list
  $ poolctl pif set host-a eth1 --role vm
  $ poolctl network create prod --uplink eth1 --vlan 100 --wait
  $ VM=$(poolctl vm create web-1)
  $ poolctl vif create "$VM" --network prod --ipv4 192.0.2.10 --port-security
  $ poolctl vm start "$VM" --on host-a --wait
  $ poolctl vm migrate "$VM" --to host-b --wait
  $ poolctl status
  $ poolctl events --follow
  $ poolctl state --at 2026-12-01T10:00Z
  $ poolctl diff 40 120
`;

/** The whole command tree; `io` is the process (main.ts) or a test's fakes. */
export function buildProgram(io: CliIo): Command {
  const program = new Command('poolctl')
    .description('poolctl: manage the networking of a poolnet pool (xe-like verbs)')
    .exitOverride()
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
    })
    .showHelpAfterError('(add --help for usage)')
    .helpCommand('help [verb]', 'help for a verb');
  addGlobalOptions(program).addHelpText('after', MAIN_HELP);
  for (const register of [
    registerPool,
    registerHost,
    registerPif,
    registerBond,
    registerNetwork,
    registerVm,
    registerVif,
    registerAcl,
    registerSecurityGroup,
    registerAddressSet,
    registerMirror,
    registerEvents,
    registerHistory,
    registerStatus,
  ]) {
    register(program, io);
  }
  return program;
}

/** Runs one command line; resolves to the exit code (see EXIT_CODES_HELP). */
export async function runPoolctl(argv: readonly string[], io: CliIo): Promise<number> {
  try {
    await buildProgram(io).parseAsync([...argv], { from: 'user' });
    return ExitCode.Ok;
  } catch (error) {
    // Commander already printed its own message (or the help).
    if (error instanceof CommanderError) return error.exitCode === 0 ? ExitCode.Ok : ExitCode.Usage;
    const failure = toCliError(error);
    io.stderr.write(`${formatError(failure)}\n`);
    return failure.exitCode;
  }
}
