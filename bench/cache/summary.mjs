// Summarises one run of http-cache-tests' CLI (its JSON results) by the suite's own kinds: `required` (the
// default: a failure is a conformance problem), `optimal` (a failure is a missed chance to reuse a response) and
// `check` (a question about behaviour, answered yes or no). A test whose dependencies did not pass is counted
// apart, as the suite's own display does. Prints the counts and the ids of the failed required tests.
// usage: node summary.mjs PACKAGE_DIR RESULTS.json
import fs from 'fs'
import path from 'path'
import { pathToFileURL } from 'url'

const [pkg, resultsFile] = process.argv.slice(2)
const { default: suites } = await import(pathToFileURL(path.join(pkg, 'tests/index.mjs')))
const { default: surrogate } = await import(pathToFileURL(path.join(pkg, 'tests/surrogate-control.mjs')))
suites.push(surrogate)
const results = JSON.parse(fs.readFileSync(resultsFile, 'utf8'))

const tests = new Map()
for (const suite of suites) for (const test of suite.tests) tests.set(test.id, { ...test, suite: suite.id })

const memo = new Map()
function outcome (id) {
  if (memo.has(id)) return memo.get(id)
  const test = tests.get(id)
  const result = results[id]
  let verdict
  if (result === undefined) verdict = 'untested'
  else if ((test.depends_on || []).some(d => !['pass', 'yes'].includes(outcome(d)))) verdict = 'dependency-failed'
  else if (Array.isArray(result) && result[0] === 'Setup') verdict = result[1] === 'retry' ? 'retry' : 'setup-failed'
  else if (Array.isArray(result) && result[0] !== 'Assertion') verdict = 'harness-failed'
  else {
    const kind = test.kind || 'required'
    if (kind === 'check') verdict = result === true ? 'yes' : 'no'
    else verdict = result === true ? 'pass' : (kind === 'optimal' ? 'optimal-failed' : 'failed')
  }
  memo.set(id, verdict)
  return verdict
}

const counts = {}
const failed = []
const byKind = { required: [0, 0], optimal: [0, 0] }
for (const [id, test] of tests) {
  const verdict = outcome(id)
  counts[verdict] = (counts[verdict] || 0) + 1
  const kind = test.kind || 'required'
  if (kind in byKind && ['pass', 'failed', 'optimal-failed'].includes(verdict)) {
    byKind[kind][1]++
    if (verdict === 'pass') byKind[kind][0]++
  }
  if (verdict === 'failed') failed.push(`${id} (${test.suite}): ${test.name}${Array.isArray(results[id]) ? ' -- ' + results[id][1] : ''}`)
}

console.log(`tests: ${tests.size}`)
console.log(`required: ${byKind.required[0]} of ${byKind.required[1]} passed; optimal: ${byKind.optimal[0]} of ${byKind.optimal[1]} passed`)
console.log('by result: ' + Object.entries(counts).sort().map(([k, v]) => `${k} ${v}`).join(', '))
if (failed.length) {
  console.log('failed required tests:')
  for (const line of failed) console.log('  ' + line)
}
