// What a container format is: a file format that holds access documents of other kinds (a
// CloudFormation template holds IAM policies; acldrift's own snapshot holds documents of every
// kind). Each format lives in its own folder under src/containers/ and is registered in
// src/containers/index.ts. The pipeline compares each extracted document under its inner kind,
// and every finding names the container file, the line inside it, and the document's name.

import type {PathRule} from '../kernel/candidates.js'
import type {
  AdapterSettings,
  InputProblem,
  Kind,
  Origin,
  ParsedFile,
  SourceFile,
  SourceMap,
} from '../kernel/types.js'

/** One access document found inside a container file. */
export interface EmbeddedDocument {
  /** the kind the document is compared under */
  kind: Kind
  /**
   * Its stable name inside the container: it survives reordering and line moves (for a
   * template, the logical id and the path to the policy, e.g. `AppRole/Policies/ReadBucket`).
   */
  name: string
  value: unknown
  /** where it sits in the container's parsed value (a JSON pointer) */
  pointer: string
  /** pointers of `value` → positions in the container file */
  sourceMap: SourceMap
  /**
   * Where the document itself came from, when the container records it: a snapshot keeps the
   * documents of the repository's templates with the template they were embedded in.
   */
  origin?: Origin
}

/** What a container file holds, and what it could not read. */
export interface Extraction {
  documents: EmbeddedDocument[]
  /** parts of the file that look like access but are not read, each saying why */
  notes: string[]
  /** parts that claim to be access and cannot be read: they fail closed */
  problems: InputProblem[]
  /**
   * Documents the file holds that apply to no one (a managed policy's versions other than the
   * default, a policy attached to nothing): validated under their kind, so that a malformed one
   * fails closed, and never compared.
   */
  held?: EmbeddedDocument[]
  /**
   * The file compiled into the input of another format, whose documents it holds too, as the
   * tool that deploys it compiles it (a Serverless Framework service into a CloudFormation
   * template). Its source map points into this file.
   */
  compiled?: {format: string; value: unknown; sourceMap: SourceMap}
}

/**
 * The other files of the source a container file is read from (the same revision, index or
 * working tree), for formats whose documents are written across files: a Terraform resource
 * uses a data source of another file of its module, or reads a policy with `file()`.
 */
export interface SourceFiles {
  /** every path of the source, relative to the repository root */
  paths(): Promise<readonly string[]>
  /** the contents of these paths; a path the source does not hold as a regular file is absent */
  read(paths: readonly string[]): Promise<ReadonlyMap<string, Buffer>>
}

/**
 * What a format rendered by a tool (a kustomize overlay, a Helm chart) asks the pipeline to run:
 * the pipeline runs the tool (src/tools/) on a copy of the files read, and `extract` receives its
 * output. Or why the file cannot be rendered here (a remote base would need the network), or
 * the output itself when it is known without the tool.
 */
export type Rendering =
  | {
      tool: 'kubectl' | 'helm'
      /** the tool's arguments; paths in them are relative to the repository root */
      args: string[]
      /** every file the tool reads, by path relative to the repository root */
      files: ReadonlyMap<string, Buffer>
    }
  | {notRead: string}
  /** what the tool would print, known without running it (an overlay none of whose inputs is RBAC) */
  | {output: string}

export interface ContainerFormat {
  format: string
  /**
   * Whether files of the repository are read as this format. acldrift's own snapshot is not: it
   * is read where acldrift reads its own files (the baseline), never as a file of the tree.
   */
  scan: boolean
  /**
   * Paths worth parsing when looking for this format, as data (kernel/candidates.ts). A rule
   * marked `content`: a name that says nothing about the file (AWS CLI output redirected to
   * `account-export`), offered for its content alone: when no kind or format reads files of that
   * name, the file is opened only if its first bytes are a JSON object, and otherwise passed over
   * unlisted (every README and script would be listed).
   */
  candidates: readonly PathRule[]
  /**
   * The file in the format's own syntax (HCL, YAML with custom tags); absent: JSON or YAML by
   * extension. Undefined: a cheap look at the text shows the file is not in this format (every
   * candidate file is offered, so a format does not parse what it can rule out unread).
   */
  parse?(file: SourceFile): Promise<ParsedFile | undefined>
  /** raw text that suggests the format even when it does not parse: such files fail closed */
  looksLike?(text: string): boolean
  /** recognises a parsed file of this format by its content */
  detect(parsed: ParsedFile): boolean
  /**
   * The access documents the file holds. `source`: the other files of the same source, when the
   * caller has them; without it, what other files would say is unknown.
   */
  extract(parsed: ParsedFile, source?: SourceFiles, rendered?: string): Promise<Extraction>
  /**
   * For a format whose documents are what a tool renders from it: what to run, reading the
   * files it needs through `source` (so that blame follows them). `extract` then receives the
   * tool's output as `rendered`. Without `source`, the other files are unknown: not read.
   * `settings`: the config's sections (acldrift.config.yaml), for a format that has one (`helm`).
   */
  render?(parsed: ParsedFile, source?: SourceFiles, settings?: AdapterSettings): Promise<Rendering>
  /**
   * Told the paths a run is about to read (before git has read them), a format may start
   * loading what parsing its files needs, so that the loading overlaps git's work. It must cost
   * nothing when none of the paths is of the format (a commit without `.tf` files loads no
   * grammar).
   */
  prepare?(paths: readonly string[]): void
  /**
   * For formats whose documents read other files: for each of the `changed` paths, the files of
   * this format whose documents may change when it does (the pre-commit hook, which reads only
   * what the commit changes, reads these too; coverage lists a file no format reads on its own as
   * read through them). A path no file reads may be left out. Asked once for all the paths. Only
   * files of the format's `candidates` read others: a source with none has no dependents (the
   * agent hook's own path asks git for those paths alone).
   */
  dependents?(
    changed: readonly string[],
    source: SourceFiles,
    settings?: AdapterSettings,
  ): Promise<ReadonlyMap<string, readonly string[]>>
  /**
   * For formats whose files name other files as fragments of documents (a kustomize patch): the
   * paths of the source so named. Such a file that does not validate as a document of its own is
   * read only through the files of this format that name it, and coverage says so.
   */
  fragments?(source: SourceFiles): Promise<ReadonlySet<string>>
}

/** A source map of an embedded document: its pointers, prefixed by where it sits in the container. */
export function mapInside(container: SourceMap, base: string): SourceMap {
  return {locate: (pointer) => container.locate(base + pointer)}
}
