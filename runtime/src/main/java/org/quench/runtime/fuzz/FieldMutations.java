package org.quench.runtime.fuzz;

import com.google.protobuf.Descriptors.EnumValueDescriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Message;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Mutations of a protobuf message's fields (a chip image, a device profile, a variability model, a
 * board request), as a client that writes its own files or requests (or edits one) makes them: one
 * number set to a boundary value, one string emptied or blown up, one element of a repeated field
 * removed or repeated. The caller writes the result in the input's own form (with a fresh checksum
 * for an image), so the change reaches the validator rather than the frame check.
 */
final class FieldMutations {
  /** Values that sit on the edges of the image's 32-bit fields and of plausible sizes. */
  private static final int[] INTERESTING = {0, 1, -1, 2, 7, 255, 1 << 10, 1 << 16, 1 << 24,
      300_000_000, Integer.MAX_VALUE, Integer.MIN_VALUE, Integer.MAX_VALUE - 1, 1 << 31 >>> 1};

  /** 64-bit edges: what reads as negative when signed, and sizes past any budget. */
  private static final long[] LONG_EDGES = {Long.MAX_VALUE, Long.MIN_VALUE, -1L, 1L << 40, 1L << 32};

  private FieldMutations() {}

  /** One step from a message down to a field: the field and, for a repeated field, the index. */
  private record Step(FieldDescriptor field, int index) {}

  /** {@code message} with one field changed; {@code what} says which and how. */
  @SuppressWarnings("unchecked")
  static <M extends Message> M mutate(M message, SplittableRandom random, StringBuilder what) {
    List<List<Step>> leaves = new ArrayList<>();
    walk(message, new ArrayList<>(), leaves);
    if (leaves.isEmpty()) {
      what.append("no field to change");
      return message;
    }
    List<Step> path = leaves.get(random.nextInt(leaves.size()));
    Message.Builder b = message.toBuilder();
    apply(b, path, 0, random, what);
    return (M) b.build();
  }

  /** Whether {@code message} has any field a mutation could change. */
  static boolean hasFields(Message message) {
    List<List<Step>> leaves = new ArrayList<>();
    walk(message, new ArrayList<>(), leaves);
    return !leaves.isEmpty();
  }

  /** Collects every scalar element and every repeated element (message or scalar) as a leaf. */
  private static void walk(Message m, List<Step> prefix, List<List<Step>> leaves) {
    for (FieldDescriptor f : m.getDescriptorForType().getFields()) {
      if (f.isMapField()) {
        continue;
      }
      if (f.isRepeated()) {
        int n = m.getRepeatedFieldCount(f);
        for (int i = 0; i < n; i++) {
          List<Step> path = extend(prefix, new Step(f, i));
          leaves.add(path);
          if (f.getJavaType() == FieldDescriptor.JavaType.MESSAGE) {
            walk((Message) m.getRepeatedField(f, i), path, leaves);
          }
        }
      } else if (f.getJavaType() == FieldDescriptor.JavaType.MESSAGE) {
        if (m.hasField(f)) {
          walk((Message) m.getField(f), extend(prefix, new Step(f, -1)), leaves);
        }
      } else {
        leaves.add(extend(prefix, new Step(f, -1)));
      }
    }
  }

  private static List<Step> extend(List<Step> prefix, Step step) {
    List<Step> out = new ArrayList<>(prefix);
    out.add(step);
    return out;
  }

  private static void apply(Message.Builder b, List<Step> path, int depth, SplittableRandom random,
      StringBuilder what) {
    Step step = path.get(depth);
    FieldDescriptor f = step.field();
    what.append(depth == 0 ? "" : ".").append(f.getName());
    if (step.index() >= 0) {
      what.append('[').append(step.index()).append(']');
    }
    if (depth < path.size() - 1) {
      Message.Builder child = step.index() >= 0 ? b.getRepeatedFieldBuilder(f, step.index())
          : b.getFieldBuilder(f);
      apply(child, path, depth + 1, random, what);
      return;
    }
    if (step.index() >= 0 && (f.getJavaType() == FieldDescriptor.JavaType.MESSAGE
        || random.nextInt(4) == 0)) {
      resize(b, f, step.index(), random, what);
      return;
    }
    Object value = value(f, random);
    if (step.index() >= 0) {
      b.setRepeatedField(f, step.index(), value);
    } else {
      b.setField(f, value);
    }
    what.append(" := ").append(shortText(value));
  }

  /** Removes the element, or appends a copy of it. */
  private static void resize(Message.Builder b, FieldDescriptor f, int index, SplittableRandom random,
      StringBuilder what) {
    List<Object> elements = new ArrayList<>();
    int n = b.getRepeatedFieldCount(f);
    for (int i = 0; i < n; i++) {
      elements.add(b.getRepeatedField(f, i));
    }
    if (random.nextBoolean()) {
      elements.remove(index);
      what.append(" removed");
    } else {
      elements.add(elements.get(index));
      what.append(" appended again");
    }
    b.clearField(f);
    for (Object e : elements) {
      b.addRepeatedField(f, e);
    }
  }

  private static Object value(FieldDescriptor f, SplittableRandom random) {
    return switch (f.getJavaType()) {
      case INT -> INTERESTING[random.nextInt(INTERESTING.length)];
      case LONG -> random.nextInt(4) == 0 ? LONG_EDGES[random.nextInt(LONG_EDGES.length)]
          : (long) INTERESTING[random.nextInt(INTERESTING.length)];
      case BOOLEAN -> random.nextBoolean();
      case FLOAT -> (float) random.nextGaussian() * 1e6f;
      case DOUBLE -> random.nextGaussian() * 1e6;
      case STRING -> switch (random.nextInt(3)) {
        case 0 -> "";
        case 1 -> "x".repeat(100_000);
        default -> "lif" + random.nextInt(10);
      };
      case BYTE_STRING -> switch (random.nextInt(3)) {
        case 0 -> com.google.protobuf.ByteString.EMPTY;
        case 1 -> com.google.protobuf.ByteString.copyFrom(new byte[] {1, 2, 3});
        default -> com.google.protobuf.ByteString.copyFrom(new byte[100_000]);
      };
      case ENUM -> {
        List<EnumValueDescriptor> values = f.getEnumType().getValues();
        // Sometimes a number the enum does not define, as a newer or hostile writer sends.
        yield random.nextInt(4) == 0 ? f.getEnumType().findValueByNumberCreatingIfUnknown(99)
            : values.get(random.nextInt(values.size()));
      }
      default -> throw new IllegalStateException("no mutation for " + f.getJavaType());
    };
  }

  private static String shortText(Object value) {
    String s = String.valueOf(value);
    return s.length() > 20 ? "\"" + s.charAt(0) + "\" x " + s.length() : s;
  }
}
