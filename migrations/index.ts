import { CreateEventLog1764028800000 } from './1764028800000-CreateEventLog.js';
import { CreateReadModels1764115200000 } from './1764115200000-CreateReadModels.js';
import { AppendPlansUseIndexes1765584000000 } from './1765584000000-AppendPlansUseIndexes.js';
import { CreateAclCounters1765670400000 } from './1765670400000-CreateAclCounters.js';
import { CreateSecurityGroupReadModels1765756800000 } from './1765756800000-CreateSecurityGroupReadModels.js';
import { IdempotencyFingerprints1765843200000 } from './1765843200000-IdempotencyFingerprints.js';
import { AclDirectionsFromVm1765929600000 } from './1765929600000-AclDirectionsFromVm.js';
import { SnapshotHistory1766016000000 } from './1766016000000-SnapshotHistory.js';
import { HostPortsPlugged1766102400000 } from './1766102400000-HostPortsPlugged.js';
import { HostPortsDevice1766275200000 } from './1766275200000-HostPortsDevice.js';
import { LogIdentity1766188800000 } from './1766188800000-LogIdentity.js';
import { MirrorStatus1766361600000 } from './1766361600000-MirrorStatus.js';
import { OverlayReadModels1766448000000 } from './1766448000000-OverlayReadModels.js';
import { HostInterfacesReadModel1766534400000 } from './1766534400000-HostInterfacesReadModel.js';
import { HostStatusHeld1766620800000 } from './1766620800000-HostStatusHeld.js';
import { HostTunnelsUnreachable1766707200000 } from './1766707200000-HostTunnelsUnreachable.js';
import { HistoryIndex1766793600000 } from './1766793600000-HistoryIndex.js';
import { SnapshotHistoryAsText1766883600000 } from './1766883600000-SnapshotHistoryAsText.js';

/** Every migration, in order. Listed by hand so ESM builds need no glob loader. */
export const migrations = [
  CreateEventLog1764028800000,
  CreateReadModels1764115200000,
  AppendPlansUseIndexes1765584000000,
  CreateAclCounters1765670400000,
  CreateSecurityGroupReadModels1765756800000,
  IdempotencyFingerprints1765843200000,
  AclDirectionsFromVm1765929600000,
  SnapshotHistory1766016000000,
  HostPortsPlugged1766102400000,
  LogIdentity1766188800000,
  HostPortsDevice1766275200000,
  MirrorStatus1766361600000,
  OverlayReadModels1766448000000,
  HostInterfacesReadModel1766534400000,
  HostStatusHeld1766620800000,
  HostTunnelsUnreachable1766707200000,
  HistoryIndex1766793600000,
  SnapshotHistoryAsText1766883600000,
];
