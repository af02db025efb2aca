export interface UserAccount {
  name: string;
  uid: number;
  gid: number;
  home: string;
}

/** Finds `name` in the text of /etc/passwd (name:x:uid:gid:gecos:home:shell). */
export function findUser(passwd: string, name: string): UserAccount | null {
  for (const line of passwd.split('\n')) {
    const fields = line.split(':');
    if (fields.length < 7 || fields[0] !== name) continue;
    const uid = Number(fields[2]);
    const gid = Number(fields[3]);
    if (!Number.isInteger(uid) || !Number.isInteger(gid)) return null;
    return { name, uid, gid, home: fields[5] ?? '/' };
  }
  return null;
}
