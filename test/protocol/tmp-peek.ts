import { run } from './duk-harness.js';
const l = run(['1b001fffffffffffff','a26161016162820203','f97c00','0102']);
console.log(l.slice(0,4).join('\n')); console.log(l.slice(4,8).join('\n')); console.log(l.slice(-3).join('\n'));
