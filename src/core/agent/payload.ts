// A harness's hook input that is not the JSON its documentation gives: the CLI fails closed.

export class MalformedPayload extends Error {}
