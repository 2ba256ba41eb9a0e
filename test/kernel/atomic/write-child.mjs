// A separate process rewriting one file over and over with writeFileAtomic, for the kill -9 test
// in atomic.test.ts. It loads the compiled module (dist/), since plain node cannot import TypeScript.
//
//   node write-child.mjs MODULE FILE A B
//
// writes the contents of files A and B to FILE in turn, until killed; prints "started" after the first.
import {readFile} from 'node:fs/promises'
import {pathToFileURL} from 'node:url'

const [modulePath, file, a, b] = process.argv.slice(2)
const {writeFileAtomic} = await import(pathToFileURL(modulePath).href)
const contents = [await readFile(a, 'utf8'), await readFile(b, 'utf8')]

for (let i = 0; ; i++) {
  await writeFileAtomic(file, contents[i % 2])
  if (i === 0) process.stdout.write('started\n')
}
