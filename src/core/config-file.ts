// The config's file name, in a module of its own: the agent hook needs it on every tool call,
// and config.ts loads every kind's descriptor (to validate the config).

export const CONFIG_FILE = 'acldrift.config.yaml'
