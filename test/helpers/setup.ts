// Runs before every test file (vitest.config.ts setupFiles), also where files share a worker.
import {afterAll} from 'vitest'
import {removeChildHome} from './home.js'

afterAll(removeChildHome)
