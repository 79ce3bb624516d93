package io.github.ldm4j.checkpoint.pickle;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32;

/**
 * Writes stored zip archives the way torch's writer does (each entry's data 64-byte aligned by an
 * "FB" padding extra field), optionally with every size and offset in ZIP64 form, as torch writes
 * archives over 4 GiB.
 */
final class TorchZipWriter {

  private record Item(String name, byte[] data) {}

  private final List<Item> items = new ArrayList<>();
  private boolean zip64;

  TorchZipWriter add(String name, byte[] data) {
    items.add(new Item(name, data));
    return this;
  }

  TorchZipWriter zip64() {
    zip64 = true;
    return this;
  }

  byte[] bytes() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream central = new ByteArrayOutputStream();
    for (Item item : items) {
      byte[] name = item.name().getBytes(StandardCharsets.UTF_8);
      long offset = out.size();
      int pad = (int) ((64 - (offset + 30 + name.length + 4) % 64) % 64);
      CRC32 crc = new CRC32();
      crc.update(item.data());
      ByteBuffer local = le(30 + name.length + 4 + pad);
      local.putInt(0x04034b50).putShort((short) 20).putShort((short) 0).putShort((short) 0).putShort((short) 0).putShort((short) 0)
          .putInt((int) crc.getValue()).putInt(item.data().length).putInt(item.data().length)
          .putShort((short) name.length).putShort((short) (4 + pad)).put(name)
          .put((byte) 'F').put((byte) 'B').putShort((short) pad).put(new byte[pad]);
      out.writeBytes(local.array());
      out.writeBytes(item.data());
      int extra = zip64 ? 28 : 0;
      ByteBuffer c = le(46 + name.length + extra);
      c.putInt(0x02014b50).putShort((short) 45).putShort((short) 45).putShort((short) 0).putShort((short) 0)
          .putShort((short) 0).putShort((short) 0).putInt((int) crc.getValue())
          .putInt(zip64 ? -1 : item.data().length).putInt(zip64 ? -1 : item.data().length)
          .putShort((short) name.length).putShort((short) extra).putShort((short) 0).putShort((short) 0).putShort((short) 0)
          .putInt(0).putInt(zip64 ? -1 : (int) offset).put(name);
      if (zip64) {
        c.putShort((short) 1).putShort((short) 24).putLong(item.data().length).putLong(item.data().length).putLong(offset);
      }
      central.writeBytes(c.array());
    }
    long cdOffset = out.size();
    out.writeBytes(central.toByteArray());
    long cdSize = central.size();
    if (zip64) {
      long end64 = out.size();
      ByteBuffer e = le(56);
      e.putInt(0x06064b50).putLong(44).putShort((short) 45).putShort((short) 45).putInt(0).putInt(0)
          .putLong(items.size()).putLong(items.size()).putLong(cdSize).putLong(cdOffset);
      out.writeBytes(e.array());
      ByteBuffer locator = le(20);
      locator.putInt(0x07064b50).putInt(0).putLong(end64).putInt(1);
      out.writeBytes(locator.array());
    }
    ByteBuffer end = le(22);
    end.putInt(0x06054b50).putShort((short) 0).putShort((short) 0)
        .putShort((short) (zip64 ? 0xFFFF : items.size())).putShort((short) (zip64 ? 0xFFFF : items.size()))
        .putInt(zip64 ? -1 : (int) cdSize).putInt(zip64 ? -1 : (int) cdOffset).putShort((short) 0);
    out.writeBytes(end.array());
    return out.toByteArray();
  }

  private static ByteBuffer le(int size) {
    return ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
  }
}
