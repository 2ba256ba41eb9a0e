// Formats that hold or produce access configs but that acldrift does not read (yet): a file in
// one of them that no kind reads, or that some kind recognised and could not read, is listed in
// the report's coverage as "not read", with the reason why, instead of failing the run (exit 3)
// or passing it silently. A table: a format that is rendered (kustomize, Helm) keeps a row for
// the files read only through the render (patches, templates). These rows never hide a file that a kind reads:
// they are consulted only when no kind read the file. A file assigned a kind by the config, or
// that was a document in the baseline, still fails closed.

export interface UnreadFormat {
  /** how coverage names what recognised the file */
  as: string
  why: string
  matches(path: string, text: string): boolean
  /**
   * The container format whose files name files in this format (`ContainerFormat.fragments`): a
   * file one of them names is in this format too, whatever its text, when it is not a document
   * of its own.
   */
  fragmentOf?: string
}

const JSON_PATCH_OP =
  /(^|\n)\s*-\s*op\s*:\s*["']?(add|remove|replace|move|copy|test)\b|"op"\s*:\s*"(add|remove|replace|move|copy|test)"/

export const UNREAD_FORMATS: readonly UnreadFormat[] = [
  {
    // Helm charts' templates/ and other Go templates: `{{ .Values.x }}`, `{{- if … }}`. GitHub's
    // `${{ }}` expressions are not Go templates.
    as: 'helm-template',
    why: 'a template ({{ }}) whose output is the config: read only through its chart, rendered with `helm template` where helm is installed',
    matches: (_path, text) => /(^|[^$])\{\{-?\s*[.$a-zA-Z/(-]/.test(text),
  },
  {
    // An AWS CDK app's settings file (https://docs.aws.amazon.com/cdk/v2/guide/cli.html, "cdk.json"):
    // the app's access is defined in code, and `cdk synth` writes it as CloudFormation templates
    // into cdk.out/ (https://docs.aws.amazon.com/cdk/v2/guide/ref-cli-cmd-synth.html), which
    // repositories usually ignore.
    as: 'aws-cdk',
    why: 'an AWS CDK app: its access is defined in code, which acldrift does not read; `cdk synth` writes it as CloudFormation templates (cdk.out/*.template.json), read when they are in the repository',
    matches: (path) => /(^|\/)cdk\.json$/.test(path),
  },
  {
    // https://kubectl.docs.kubernetes.io/references/kustomize/kustomization/
    as: 'kustomize',
    why: 'a kustomization with none of the fields acldrift renders (resources, patches, components…): nothing to render',
    matches: (path) => /(^|\/)(kustomization\.ya?ml|Kustomization)$/.test(path),
  },
  {
    // Strategic-merge patches carry `$patch` directives; JSON 6902 patches are lists of operations
    // (https://kubectl.docs.kubernetes.io/references/kustomize/kustomization/patches/). Any other
    // strategic-merge patch (a partial object) is known by a kustomization naming it.
    as: 'kustomize-patch',
    fragmentOf: 'kustomize',
    why: 'a kustomize patch: read only through the overlays that use it, rendered with `kubectl kustomize`',
    matches: (_path, text) => /\$patch\s*["']?\s*:/.test(text) || JSON_PATCH_OP.test(text),
  },
]

/**
 * The unread format a file is in, if any. `fragmentOf`: the container formats whose files name
 * this one as a fragment of their documents.
 */
export function unreadFormat(
  path: string,
  text: string,
  fragmentOf: readonly string[] = [],
): UnreadFormat | undefined {
  return UNREAD_FORMATS.find(
    (format) =>
      format.matches(path, text) ||
      (format.fragmentOf !== undefined && fragmentOf.includes(format.fragmentOf)),
  )
}
