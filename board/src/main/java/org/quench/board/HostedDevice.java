package org.quench.board;

import io.grpc.Status;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.function.LongSupplier;
import org.quench.hal.Device;
import org.quench.hal.DeviceInfo;

/**
 * One device a board hosts, with its lease. Every device operation happens while holding this
 * object's monitor, so a run, a reset from another call and a lease expiry never interleave.
 *
 * <p>A lease belongs to the connection that took it: when that connection closes, the lease ends
 * and the device is reset. An image must be loaded under the current lease before it can run, so
 * one client never runs (or reads) the image another client left behind.
 */
final class HostedDevice {
  private static final SecureRandom IDS = new SecureRandom();

  final String name;
  final String uri;
  final Device device;
  private final LongSupplier nanoClock;

  private String leaseId;
  private long leaseConnection;
  private long expiresAtNanos;
  private long ttlNanos;
  private boolean imageLoaded;
  private RunSession activeRun;

  HostedDevice(String name, String uri, Device device, LongSupplier nanoClock) {
    this.name = name;
    this.uri = uri;
    this.device = device;
    this.nanoClock = nanoClock;
  }

  DeviceInfo info() {
    return device.info();
  }

  synchronized boolean leased() {
    expireIfDue();
    return leaseId != null;
  }

  /** Grants a new lease or throws PERMISSION_DENIED while another one is live. */
  synchronized String lease(long connection, long ttlMillis) {
    expireIfDue();
    if (leaseId != null) {
      throw Status.PERMISSION_DENIED.withDescription("device " + name
          + " is leased by another client; try another device or wait for its lease to end")
          .asRuntimeException();
    }
    byte[] id = new byte[16];
    IDS.nextBytes(id);
    leaseId = HexFormat.of().formatHex(id);
    leaseConnection = connection;
    ttlNanos = ttlMillis * 1_000_000L;
    expiresAtNanos = nanoClock.getAsLong() + ttlNanos;
    // A fresh lease starts from a clean device: whatever the last holder left is gone.
    cleanUp();
    return leaseId;
  }

  /**
   * Checks that {@code id} is the live lease and pushes its expiry out. FAILED_PRECONDITION when
   * the device is not leased (or the lease ended), PERMISSION_DENIED when another lease holds it.
   */
  synchronized void checkLease(String id) {
    expireIfDue();
    if (id == null || id.isEmpty()) {
      throw Status.FAILED_PRECONDITION.withDescription("no lease given for device " + name
          + "; call Lease first").asRuntimeException();
    }
    if (leaseId == null) {
      throw Status.FAILED_PRECONDITION.withDescription("the lease on device " + name
          + " has expired or was released; lease it again").asRuntimeException();
    }
    if (!java.security.MessageDigest.isEqual(leaseId.getBytes(), id.getBytes())) {
      throw Status.PERMISSION_DENIED.withDescription("device " + name
          + " is leased by another client").asRuntimeException();
    }
    expiresAtNanos = nanoClock.getAsLong() + ttlNanos;
  }

  synchronized long ttlMillis() {
    return ttlNanos / 1_000_000L;
  }

  /** Ends the lease if {@code id} is it; resets the device. Unknown ids are ignored. */
  synchronized void release(String id) {
    if (leaseId != null && leaseId.equals(id)) {
      endLease();
    }
  }

  /** Ends the lease taken over connection {@code connection}, if any. */
  synchronized void connectionClosed(long connection) {
    if (leaseId != null && leaseConnection == connection) {
      endLease();
    }
  }

  synchronized void imageLoaded() {
    imageLoaded = true;
  }

  synchronized void requireImage() {
    if (!imageLoaded) {
      throw Status.FAILED_PRECONDITION.withDescription("no image loaded on device " + name
          + " under this lease; call LoadImage first").asRuntimeException();
    }
  }

  /** Claims the device for one Run stream; a second concurrent stream is refused. */
  synchronized void beginRun(RunSession run) {
    if (activeRun != null) {
      throw Status.FAILED_PRECONDITION.withDescription("a run is already streaming on device "
          + name + "; finish it first").asRuntimeException();
    }
    activeRun = run;
  }

  synchronized void endRun(RunSession run) {
    if (activeRun == run) {
      activeRun = null;
    }
  }

  private void expireIfDue() {
    if (leaseId != null && nanoClock.getAsLong() - expiresAtNanos > 0) {
      endLease();
    }
  }

  private void endLease() {
    leaseId = null;
    cleanUp();
  }

  private void cleanUp() {
    imageLoaded = false;
    device.detachAll();
    try {
      device.reset();
    } catch (RuntimeException e) {
      // A device with no image has nothing to reset; that is the clean state we want.
    }
  }
}
