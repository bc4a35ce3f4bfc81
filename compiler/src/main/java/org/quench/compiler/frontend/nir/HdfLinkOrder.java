package org.quench.compiler.frontend.nir;

import io.jhdf.Constants;
import io.jhdf.FractalHeap;
import io.jhdf.HdfFile;
import io.jhdf.ObjectHeader;
import io.jhdf.api.Group;
import io.jhdf.btree.BTreeV2;
import io.jhdf.btree.record.LinkNameForIndexedGroupRecord;
import io.jhdf.object.message.LinkInfoMessage;
import io.jhdf.object.message.LinkMessage;
import io.jhdf.storage.HdfBackingStorage;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The order of a group's members as h5py (and so {@code nir.read}) iterates them: creation order
 * when the group tracks it, otherwise HDF5's name order (byte-wise, as {@code strcmp}).
 *
 * <p>jhdf's {@code getChildren()} is not that order for every layout: for a group with many
 * links in "dense" storage it follows the name-hash index. So the order is derived here: names
 * are sorted byte-wise, and for a tracked group by the creation index each link message carries,
 * read through jhdf's object-header classes. If those cannot be read, name order is used: the
 * graph's meaning does not depend on node order, only its determinism does.
 */
final class HdfLinkOrder {
  private HdfLinkOrder() {}

  static List<String> of(Group group) {
    List<String> names = new ArrayList<>(group.getChildren().keySet());
    names.sort((a, b) -> Arrays.compareUnsigned(
        a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8)));
    if (!group.isLinkCreationOrderTracked()) {
      return names;
    }
    Map<String, Long> creation = creationOrder(group.getHdfFile(), group);
    if (!creation.keySet().containsAll(names)) {
      return names;
    }
    // stable sort: equal indices (not expected) keep name order
    names.sort((a, b) -> Long.compare(creation.get(a), creation.get(b)));
    return names;
  }

  private static Map<String, Long> creationOrder(HdfFile hdf, Group group) {
    Map<String, Long> order = new HashMap<>();
    try {
      HdfBackingStorage storage = hdf.getHdfBackingStorage();
      ObjectHeader header = ObjectHeader.readObjectHeader(storage, group.getAddress());
      // compact storage: the link messages sit in the group's own header
      for (LinkMessage link : header.getMessagesOfType(LinkMessage.class)) {
        order.put(link.getLinkName(), link.getCreationOrder());
      }
      if (order.isEmpty() && header.hasMessageOfType(LinkInfoMessage.class)) {
        // dense storage: link messages live in a fractal heap indexed by a name-hash B-tree
        LinkInfoMessage info = header.getMessageOfType(LinkInfoMessage.class);
        if (info.getFractalHeapAddress() != Constants.UNDEFINED_ADDRESS) {
          FractalHeap heap = new FractalHeap(storage, info.getFractalHeapAddress());
          BTreeV2<LinkNameForIndexedGroupRecord> index =
              new BTreeV2<>(storage, info.getBTreeNameIndexAddress());
          for (LinkNameForIndexedGroupRecord record : index.getRecords()) {
            LinkMessage link =
                LinkMessage.fromBuffer(heap.getId(record.getId()), storage.getSuperblock());
            order.put(link.getLinkName(), link.getCreationOrder());
          }
        }
      }
    } catch (RuntimeException e) {
      // jhdf internals changed or the header is unusual: fall back to name order (see above)
      return Map.of();
    }
    return order;
  }
}
