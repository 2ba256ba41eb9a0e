// A separate process appending to an audit log, for the concurrency and crash tests in log.test.ts.
// It loads the compiled module (dist/), since plain node cannot import TypeScript.
//
//   node append-child.mjs MODULE LOG COUNT WRITER
//
// appends COUNT records {writer: WRITER, i} (COUNT 0: until killed) and prints "started" after the
// first one.
import {pathToFileURL} from 'node:url'

const [modulePath, log, countText, writer] = process.argv.slice(2)
const {appendRecord} = await import(pathToFileURL(modulePath).href)
const count = Number(countText)

for (let i = 1; count === 0 || i <= count; i++) {
  await appendRecord(log, {writer, i})
  if (i === 1) process.stdout.write('started\n')
}
