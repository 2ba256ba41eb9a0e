// The name of git's attributes files, in a module of its own: the agent hook's own path asks it
// of every edit, and attributes.ts loads git and the gate's rules for protected files.

export const ATTRIBUTES_FILE = '.gitattributes'
