// Rebuild the JSON schemas of @pexip/infinity-api from its compiled (ajv standalone) validators.
// Usage: node extract.mjs <package dir> <out.json>
import fs from 'node:fs';
import path from 'node:path';
import vm from 'node:vm';

const [pkgDir, outFile] = process.argv.slice(2);
const dist = path.join(pkgDir, 'dist');
const version = JSON.parse(fs.readFileSync(path.join(pkgDir, 'package.json'), 'utf8')).version;
const root = { definitions: {} };
const validators = {};

for (const group of fs.readdirSync(dist)) {
  const file = path.join(dist, group, 'validation.js');
  if (!fs.existsSync(file)) continue;
  const text = fs.readFileSync(file, 'utf8');
  const lines = text.split('\n');
  // Each export, the line it is on, and the function it names.
  const exports = [];
  lines.forEach((line, index) => {
    const m = line.match(/^export const (\w+) = (validate\d+);/);
    if (m) exports.push({ name: m[1], fn: m[2], line: index });
  });
  const code = text.replace(/^export const /gm, 'const ') +
    '\n;({' + [...new Set([...text.matchAll(/^const (schema\d+) = /gm)].map((m) => m[1]))]
      .map((s) => `${s}`).join(',') + ',' +
    [...new Set([...text.matchAll(/^function (validate\d+)\(/gm)].map((m) => m[1]))].join(',') + '})';
  const scope = vm.runInNewContext(code, {});
  const calls = (fnName) => [...scope[fnName].toString().matchAll(/\b(validate\d+)\(/g)]
    .map((m) => m[1]).filter((n) => n !== fnName).sort().join(',');
  const own = [];
  for (const [i, ex] of exports.entries()) {
    const end = i + 1 < exports.length ? exports[i + 1].line : lines.length;
    let schemaName = null;
    let standalone = null;
    for (let l = ex.line + 1; l < end; l++) {
      const m = lines[l].match(/^const (schema\d+) = \{/);
      if (m && lines[l + 1].includes("$schema:")) { schemaName = m[1]; break; }
      if (m && !standalone) standalone = m[1];
      if (/^function /.test(lines[l])) break;
    }
    const inner = calls(ex.fn);
    if (!schemaName && standalone && inner === '' &&
        !/schemaPath: '#\/definitions\//.test(scope[ex.fn].toString())) {
      // A schema with no definitions of its own (e.g. a bare string).
      root.standalone ??= {};
      root.standalone[ex.name] = scope[standalone];
      validators[ex.name] = `#/standalone/${ex.name}`;
    } else if (schemaName) {
      const schema = scope[schemaName];
      const ref = schema.oneOf && schema.oneOf[0] && schema.oneOf[0].$ref;
      const m = ref && ref.match(/^#\/definitions\/([^/]+)\/properties\/([^/]+)\//);
      if (!m) throw new Error(`${ex.name}: unexpected top-level shape`);
      const [, endpoint, key] = m;
      root.definitions[endpoint] ??= { properties: {} };
      root.definitions[endpoint].properties[key] = schema;
      const pointer = `#/definitions/${endpoint}/properties/${key}`;
      validators[ex.name] = pointer;
      own.push({ calls: calls(ex.fn), pointer });
    } else {
      // ajv reused an identical schema: the same inner validators as an earlier export.
      // Either it calls the same inner validators as an earlier export, or it inlined the
      // schema, whose place in the original document its error paths name.
      const twin = own.find((o) => o.calls === calls(ex.fn) && o.calls !== '');
      const inlined = scope[ex.fn].toString()
        .match(/schemaPath: '#\/definitions\/([^/]+)\/properties\/([^/']+)\//);
      if (twin) validators[ex.name] = twin.pointer;
      else if (inlined) validators[ex.name] = `#/definitions/${inlined[1]}/properties/${inlined[2]}`;
      else throw new Error(`${ex.name}: no schema, no twin`);
    }
  }
}
// Every $ref must resolve inside the rebuilt document.
const resolve = (pointer) => pointer.slice(2).split('/').reduce((node, part) => node && node[part], root);
const refs = [];
const walk = (node) => {
  if (Array.isArray(node)) node.forEach(walk);
  else if (node && typeof node === 'object') {
    if (typeof node.$ref === 'string') refs.push(node.$ref);
    Object.values(node).forEach(walk);
  }
};
walk(root);
refs.push(...Object.values(validators));
const broken = refs.filter((r) => !resolve(r));
if (broken.length) throw new Error('unresolved refs: ' + [...new Set(broken)].join(' '));
fs.writeFileSync(outFile, JSON.stringify({
  source: `@pexip/infinity-api ${version} (npm), dist/*/validation.js`,
  licence: 'Apache-2.0, see LICENSE',
  validators,
  document: root,
}, null, 1) + '\n');
console.log(`${Object.keys(validators).length} validators, ${refs.length} refs resolved`);
