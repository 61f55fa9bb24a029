export interface Tenant {
  id: string;
  name: string;
  defaultRegion: string;
}
