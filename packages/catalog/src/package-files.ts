import type { JsonObject } from './options.js';
import type { PackageJson, ResourceJson } from './manifest.js';

/** The files of one package version in the Universe layout, as text (or already parsed JSON). */
export type PackageFiles = Readonly<Record<string, string | object>>;

export const PACKAGE_FILE = 'package.json';
export const CONFIG_FILE = 'config.json';
export const RESOURCE_FILE = 'resource.json';
/** Universe's template: a Marathon app definition. */
export const MARATHON_TEMPLATE = 'marathon.json.mustache';
/** Gantry's own: a stateful service definition (the SDK's service spec as JSON). */
export const STATEFUL_TEMPLATE = 'stateful.json.mustache';

export type TemplateKind = 'marathon' | 'stateful';

/** A validated package version: manifest, options schema, template, resources. */
export interface CatalogPackage extends PackageJson {
  /** Universe's release version (the directory number); orders versions of one package. */
  readonly releaseVersion: number;
  /** `config.json`, a JSON Schema of the install options; null when the package has none. */
  readonly config: JsonObject | null;
  readonly template: { readonly kind: TemplateKind; readonly file: string; readonly text: string };
  readonly resource: ResourceJson;
}

/** One problem, naming the file and the field: `config.json /properties/port: …`. */
export interface PackageError {
  readonly file: string;
  readonly path: string;
  readonly message: string;
}

export function formatPackageError(e: PackageError): string {
  return `${e.file}${e.path && e.path !== '/' ? ` ${e.path}` : ''}: ${e.message}`;
}
