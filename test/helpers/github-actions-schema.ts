// Minimal JSON Schemas (draft-07) of the two GitHub Actions files this repository publishes, written
// from GitHub's documentation, because actionlint cannot be installed here: they catch a misspelt
// key, a missing required one, a composite `run` step without its `shell`, a composite output
// without its `value`, and a permission scope or level GitHub does not have.
// - action.yml: "Metadata syntax reference",
//   https://docs.github.com/en/actions/reference/metadata-syntax-reference (name and description
//   required; inputs with description, required, default, deprecationMessage; outputs with
//   description, and `value` for a composite action; runs.using `composite` with steps: `run`
//   needs `shell`, or `uses` with `with`; id, if, name, env, working-directory, continue-on-error);
// - workflows: "Workflow syntax for GitHub Actions",
//   https://docs.github.com/en/actions/reference/workflow-syntax-for-github-actions (on, permissions,
//   concurrency, env, jobs.<id> with runs-on and steps, a step with `uses` or `run`), and the
//   scopes of `permissions` as acldrift's github-actions kind lists them from the same documentation.

import {SCOPES} from '../../src/adapters/github-actions/scopes.js'

const stringMap = {type: 'object', additionalProperties: {type: ['string', 'number', 'boolean']}}
const expressionOr = (schema: object) => ({anyOf: [schema, {type: 'string', pattern: '^\\$\\{\\{.*\\}\\}$'}]})

const commonStep = {
  id: {type: 'string', pattern: '^[A-Za-z_][A-Za-z0-9_-]*$'},
  name: {type: 'string'},
  if: {type: ['string', 'boolean']},
  env: stringMap,
  'continue-on-error': expressionOr({type: 'boolean'}),
  'working-directory': {type: 'string'},
}

const runStep = (shellRequired: boolean) => ({
  type: 'object',
  properties: {...commonStep, run: {type: 'string'}, shell: {type: 'string'}},
  required: shellRequired ? ['run', 'shell'] : ['run'],
  additionalProperties: false,
})

const usesStep = {
  type: 'object',
  properties: {
    ...commonStep,
    uses: {type: 'string', pattern: '^(\\./|docker://|[\\w.-]+/[\\w./-]+@\\S+$)'},
    with: stringMap,
  },
  required: ['uses'],
  additionalProperties: false,
}

export const ACTION_SCHEMA = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  type: 'object',
  properties: {
    name: {type: 'string', minLength: 1},
    author: {type: 'string'},
    description: {type: 'string', minLength: 1},
    branding: {
      type: 'object',
      properties: {
        icon: {type: 'string'},
        color: {enum: ['white', 'black', 'yellow', 'blue', 'green', 'orange', 'red', 'purple', 'gray-dark']},
      },
      additionalProperties: false,
    },
    inputs: {
      type: 'object',
      propertyNames: {pattern: '^[A-Za-z_][A-Za-z0-9_-]*$'},
      additionalProperties: {
        type: 'object',
        properties: {
          description: {type: 'string', minLength: 1},
          required: {type: 'boolean'},
          default: {type: 'string'},
          deprecationMessage: {type: 'string'},
        },
        required: ['description'],
        additionalProperties: false,
      },
    },
    outputs: {
      type: 'object',
      propertyNames: {pattern: '^[A-Za-z_][A-Za-z0-9_-]*$'},
      additionalProperties: {
        type: 'object',
        properties: {description: {type: 'string', minLength: 1}, value: {type: 'string'}},
        required: ['description', 'value'],
        additionalProperties: false,
      },
    },
    runs: {
      type: 'object',
      properties: {
        using: {const: 'composite'},
        steps: {type: 'array', minItems: 1, items: {oneOf: [runStep(true), usesStep]}},
      },
      required: ['using', 'steps'],
      additionalProperties: false,
    },
  },
  required: ['name', 'description', 'runs'],
  additionalProperties: false,
}

const permissionLevels = Object.fromEntries(
  Object.entries(SCOPES).map(([scope, levels]) => [scope, {enum: ['none', ...levels]}]),
)

const permissions = {
  anyOf: [
    {enum: ['read-all', 'write-all']},
    {type: 'object', properties: permissionLevels, additionalProperties: false},
  ],
}

export const WORKFLOW_SCHEMA = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  type: 'object',
  properties: {
    name: {type: 'string'},
    'run-name': {type: 'string'},
    on: {type: ['string', 'array', 'object']},
    permissions,
    env: stringMap,
    concurrency: {
      anyOf: [
        {type: 'string'},
        {
          type: 'object',
          properties: {group: {type: 'string'}, 'cancel-in-progress': {type: ['boolean', 'string']}},
          required: ['group'],
          additionalProperties: false,
        },
      ],
    },
    jobs: {
      type: 'object',
      minProperties: 1,
      propertyNames: {pattern: '^[A-Za-z_][A-Za-z0-9_-]*$'},
      additionalProperties: {
        type: 'object',
        properties: {
          name: {type: 'string'},
          'runs-on': {type: ['string', 'array', 'object']},
          permissions,
          if: {type: ['string', 'boolean']},
          needs: {type: ['string', 'array']},
          env: stringMap,
          'timeout-minutes': {type: ['number', 'string']},
          steps: {type: 'array', minItems: 1, items: {oneOf: [runStep(false), usesStep]}},
        },
        required: ['runs-on', 'steps'],
        additionalProperties: false,
      },
    },
  },
  required: ['on', 'jobs'],
  additionalProperties: false,
}
