#!/usr/bin/env python3
# Patch a copy of JerryScript's jerry-core/vm/vm.c for per-function profiling under
# callgrind (make jerry-profile; never the engines the tests and the bench run): every
# JavaScript function's frame runs through its own C trampoline, jsfn_<k>, k given in the
# order functions are first called, so callgrind's inclusive cost of jsfn_<k> is that
# function's cost, callees included, and its call count is the function's. At exit the
# names of the functions (from their bytecode) go to $PROF_MAP, one "jsfn_<k> <name>" line
# each. engines/profile.ts builds, runs and reads it.
#
#   python3 engines/jerryscript/profile-patch.py <jerryscript source dir>
import re
import sys

N = 400  # functions told apart; later ones share the last trampoline
path = sys.argv[1] + '/jerry-core/vm/vm.c'
src = open(path).read()
if 'vm_execute_real' in src:
    sys.exit(0)
head = '''ecma_value_t JERRY_ATTR_NOINLINE
vm_execute (vm_frame_ctx_t *frame_ctx_p) /**< frame context */
{'''
if head not in src:
    sys.exit('profile-patch: vm_execute not found in ' + path)
out = ['#include <stdio.h>', '#include <stdlib.h>', '#include <string.h>', '#include "jerryscript.h"',
       'static ecma_value_t vm_execute_real (vm_frame_ctx_t *frame_ctx_p);',
       'static const void *prof_keys[%d];' % N, 'static char prof_names[%d][64];' % N,
       'static int prof_n = 0;', 'volatile int prof_sink;']
# Distinct bodies (prof_sink), so the compiler cannot merge identical trampolines.
for i in range(N):
    out.append('static ecma_value_t __attribute__ ((noinline)) jsfn_%d (vm_frame_ctx_t *f) '
               '{ prof_sink = %d; ecma_value_t r = vm_execute_real (f); __asm__ volatile ("" ::: "memory"); return r; }' % (i, i))
out.append('''static void prof_dump (void)
{
  const char *p = getenv ("PROF_MAP");
  FILE *o = fopen (p != NULL ? p : "prof.map", "w");
  if (o == NULL) return;
  for (int i = 0; i < prof_n; i++) fprintf (o, "jsfn_%d %s\\n", i, prof_names[i]);
  fclose (o);
}
static void prof_name (int i, const ecma_compiled_code_t *bc)
{
  strcpy (prof_names[i], "?");
  if (CBC_FUNCTION_GET_TYPE (bc->status_flags) == CBC_FUNCTION_SCRIPT) return;
  ecma_value_t v = *ecma_compiled_code_resolve_function_name (bc);
  if (!ecma_is_value_string (v)) return;
  jerry_size_t n = jerry_string_to_buffer (v, JERRY_ENCODING_UTF8, (jerry_char_t *) prof_names[i], 63);
  prof_names[i][n] = 0;
}
ecma_value_t JERRY_ATTR_NOINLINE
vm_execute (vm_frame_ctx_t *frame_ctx_p)
{
  const void *key = frame_ctx_p->shared_p->bytecode_header_p;
  int k = 0;
  while (k < prof_n && prof_keys[k] != key) k++;
  if (k == prof_n)
  {
    if (prof_n == 0) atexit (prof_dump);
    if (prof_n < NNN) { prof_name (prof_n, (const ecma_compiled_code_t *) key); prof_keys[prof_n++] = key; }
    else k = NNN - 1;
  }
  switch (k)
  {'''.replace('NNN', str(N)))
for i in range(N):
    out.append('    case %d: return jsfn_%d (frame_ctx_p);' % (i, i))
out.append('    default: return vm_execute_real (frame_ctx_p);\n  }\n}\n')
src = src.replace(head, '\n'.join(out) + '''
static ecma_value_t JERRY_ATTR_NOINLINE
vm_execute_real (vm_frame_ctx_t *frame_ctx_p) /**< frame context */
{''')
open(path, 'w').write(src)
