// The CLI loads only the module of the command it runs (host/cli/commands.ts): the table
// must name every top-level command exactly once, or a command would vanish from one path.
import t from 'tap';
import { COMMAND_MODULES, commandName, modulesFor } from '../../host/cli/commands.js';
import { buildProgram } from '../../host/cli/program.js';

t.test('the table names every registered top-level command exactly once', async (t) => {
  const all = await buildProgram(['node', 'ring', '--help']);
  const registered = all.commands.map((c) => c.name()).sort();
  const listed = COMMAND_MODULES.flatMap((m) => [...m.names]).sort();
  t.same(listed, registered, 'table == registered commands');
  t.equal(new Set(listed).size, listed.length, 'no name listed twice');
});

t.test('a command line loads only the module that owns its command', async (t) => {
  for (const m of COMMAND_MODULES) {
    for (const name of m.names) {
      const program = await buildProgram(['node', 'ring', '--log-level', 'error', name, '--help']);
      t.same(program.commands.map((c) => c.name()).sort(), [...m.names].sort(), `ring ${name}: ${m.names.join(', ')}`);
    }
  }
});

t.test('help, typos and no command load every module', async (t) => {
  t.equal(commandName(['node', 'ring']), null);
  t.equal(commandName(['node', 'ring', '--log-level', 'info', 'replay', 'x.ringfx']), 'replay');
  t.equal(commandName(['node', 'ring', '--log-level=info', 'score']), 'score');
  t.equal(commandName(['node', 'ring', '--log-file', 'ring.log', 'info']), 'info', '--log-file takes a value');
  t.equal(modulesFor(['node', 'ring', '--help']).length, COMMAND_MODULES.length, '--help');
  t.equal(modulesFor(['node', 'ring', 'help', 'replay']).length, COMMAND_MODULES.length, 'help <command>');
  t.equal(modulesFor(['node', 'ring', 'repaly']).length, COMMAND_MODULES.length, 'a typo gets the full list for suggestions');
  t.equal(modulesFor(['node', 'ring', '--version']).length, 0, '--version loads no command');
  t.equal(modulesFor(['node', 'ring', '-V', '--log-level', 'info']).length, 0, '-V with a root option loads no command');
  t.equal(modulesFor(['node', 'ring', '--version', '--help']).length, COMMAND_MODULES.length, '--help with it lists every command');
});
