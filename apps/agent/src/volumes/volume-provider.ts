import type { ExternalVolumeProvider } from '@gantry/specs';

/**
 * Where the agent finds an external volume (TaskSpec `externalVolumes`): a provider turns
 * the volume's name into a directory on this machine that the task's sandbox links to,
 * exactly as a local persistent volume is linked. Unlike local volumes (CREATE/DESTROY,
 * `Volumes`), the data is not the agent's: the same name resolves to the same data on
 * every agent with the provider, so a task may move between nodes and keep it.
 *
 * Mesos does this with its `docker/volume` isolator (a DVDI driver mounts the volume);
 * our one provider is `shared-directory`: a directory every agent mounts (e.g. NFS).
 */
export interface VolumeProvider {
  readonly name: ExternalVolumeProvider;
  /**
   * The directory holding volume `name` on this machine, created if missing; when an
   * `owner` (the task's user) is given, handed to it and reachable by it through an
   * absolute link. Throws `VolumeError` with a message for the task's status when it cannot.
   */
  resolve(name: string, owner?: { uid: number; gid: number | null }): Promise<string>;
}

/** The agent's providers, by name; what to tell a task asking for one the agent was not started with. */
export class VolumeProviders {
  private readonly byName: ReadonlyMap<string, VolumeProvider>;

  constructor(providers: readonly VolumeProvider[]) {
    this.byName = new Map(providers.map((p) => [p.name, p]));
  }

  get(name: ExternalVolumeProvider): VolumeProvider | undefined {
    return this.byName.get(name);
  }

  describe(): string {
    return this.byName.size === 0 ? 'none' : [...this.byName.keys()].join(', ');
  }

  /** The operator's fix for a missing provider: which flag to start the agent with. */
  static missing(provider: ExternalVolumeProvider, volume: string): string {
    switch (provider) {
      case 'shared-directory':
        return `external volume "${volume}" (provider shared-directory) needs an agent started with --shared-volumes-dir <path>, the directory every agent mounts (e.g. an NFS mount); this agent has none`;
    }
  }
}
