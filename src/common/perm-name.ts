/** common/constant/PermName.java (4.9.8). */
export const PermName = {
  PERM_PRIORITY: 0x8,
  PERM_READ: 0x4,
  PERM_WRITE: 0x2,
  PERM_INHERIT: 0x1,
} as const;

export const isReadable = (perm: number): boolean => (perm & PermName.PERM_READ) === PermName.PERM_READ;
export const isWriteable = (perm: number): boolean => (perm & PermName.PERM_WRITE) === PermName.PERM_WRITE;
export const isInherited = (perm: number): boolean => (perm & PermName.PERM_INHERIT) === PermName.PERM_INHERIT;

export function perm2String(perm: number): string {
  return `${isReadable(perm) ? 'R' : '-'}${isWriteable(perm) ? 'W' : '-'}${isInherited(perm) ? 'X' : '-'}`;
}
