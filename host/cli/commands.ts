// Which module registers which top-level command, so main.ts loads only the one a command
// line names. test/cli/commands.test.ts checks this table against the registered program.

import type { Command } from 'commander';

type Register = (program: Command) => void;

export interface CommandModule {
  /** Top-level command names the module registers. */
  names: readonly string[];
  load: () => Promise<Register>;
}

export const COMMAND_MODULES: readonly CommandModule[] = [
  { names: ['replay'], load: async () => (await import('./cmd-replay.js')).registerReplayCommand },
  { names: ['score'], load: async () => (await import('./cmd-score.js')).registerScoreCommand },
  { names: ['fixture'], load: async () => (await import('./cmd-fixture.js')).registerFixtureCommands },
  {
    names: ['info', 'battery', 'time', 'config', 'stream', 'history'],
    load: async () => (await import('./cmd-device.js')).registerDeviceCommands,
  },
  { names: ['sim'], load: async () => (await import('./cmd-sim.js')).registerSimCommands },
  { names: ['scan'], load: async () => (await import('./cmd-scan.js')).registerScanCommand },
  { names: ['decode', 'trace', 'dissector'], load: async () => (await import('./cmd-debug.js')).registerDebugCommands },
  { names: ['energy'], load: async () => (await import('./cmd-energy.js')).registerEnergyCommand },
  { names: ['ci'], load: async () => (await import('./cmd-ci.js')).registerCiCommand },
  { names: ['history-erase'], load: async () => (await import('./cmd-log.js')).registerLogCommands },
  { names: ['keys', 'image', 'flash'], load: async () => (await import('./cmd-image.js')).registerImageCommands },
  { names: ['pair'], load: async () => (await import('./cmd-pair.js')).registerPairCommand },
  { names: ['share'], load: async () => (await import('./cmd-share.js')).registerShareCommands },
  { names: ['report', 'wellness', 'together'], load: async () => (await import('./cmd-wellness.js')).registerWellnessCommands },
];

/** The command name in argv (after node, script and global options), or null. */
export function commandName(argv: readonly string[]): string | null {
  for (let i = 2; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--') return null;
    if (a === '--log-level' || a === '--log-file') {
      i++;
      continue;
    }
    if (a.startsWith('-')) continue;
    return a;
  }
  return null;
}

/** The modules to load for argv: the one that owns its command, none for the version alone, or all of them (help, typos). */
export function modulesFor(argv: readonly string[]): readonly CommandModule[] {
  const name = commandName(argv);
  const root = argv.slice(2);
  if (name === null && root.some((a) => a === '--version' || a === '-V') && !root.some((a) => a === '--help' || a === '-h')) return [];
  const owner = name === null ? undefined : COMMAND_MODULES.find((m) => m.names.includes(name));
  return owner ? [owner] : COMMAND_MODULES;
}
