package org.quench.hal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class VariabilityModelTest {
  @TempDir
  Path dir;

  @Test
  void presetsLoadWithTheirAdvertisedSpread() {
    assertTrue(VariabilityModel.preset("ideal").isIdeal());
    VariabilityModel digital = VariabilityModel.preset("digital");
    assertFalse(digital.isIdeal());
    assertEquals(0.0, digital.totalSpread(DeviceParameter.THRESHOLD));
    assertEquals(0.03, VariabilityModel.preset("mild").totalSpread(DeviceParameter.THRESHOLD), 0.005);
    assertEquals(0.15, VariabilityModel.preset("analog").totalSpread(DeviceParameter.VOLTAGE_DECAY), 0.01);
  }

  @Test
  void canonicalJsonReadsBackToTheSameModel() {
    VariabilityModel analog = VariabilityModel.preset("analog");
    assertEquals(analog, VariabilityModel.parse(analog.toJson(), "round trip"));
  }

  @Test
  void resolveTakesAPresetNameOrAFile() throws Exception {
    Path f = dir.resolve("chipfab.json");
    Files.writeString(f, "{\"name\":\"fab\",\"threshold\":{\"neuron\":0.2}}");
    assertEquals("fab", VariabilityModel.resolve(f.toString()).name());
    assertEquals("mild", VariabilityModel.resolve("mild").name());
  }

  @Test
  void badFilesGiveOneLineNamingTheField() throws Exception {
    assertLine("threshold.neuron: -0.1", "{\"threshold\":{\"neuron\":-0.1}}");
    assertLine("faults.deadNeuron: 1.5", "{\"faults\":{\"deadNeuron\":1.5}}");
    assertLine("bias.synapse: only weights", "{\"bias\":{\"synapse\":0.1}}");
    assertLine("noise.vSigma", "{\"noise\":{\"vSigma\":-1}}");
    assertLine("thresold", "{\"thresold\":{\"neuron\":0.1}}");
    assertLine("End of input", "{\"threshold\":");
    QuenchException e = assertThrows(QuenchException.class, () -> VariabilityModel.resolve("analogue"));
    assertTrue(e.getMessage().contains("presets: ideal, digital, mild, analog"), e.getMessage());
    e = assertThrows(QuenchException.class,
        () -> VariabilityModel.resolve(dir.resolve("none.json").toString()));
    assertTrue(e.getMessage().contains("does not exist"), e.getMessage());
  }

  private void assertLine(String expected, String json) throws Exception {
    Path f = dir.resolve("bad.json");
    Files.writeString(f, json);
    QuenchException e = assertThrows(QuenchException.class, () -> VariabilityModel.load(f));
    assertTrue(e.getMessage().contains(expected), e.getMessage());
    assertTrue(e.getMessage().contains(f.toString()), e.getMessage());
    assertFalse(e.getMessage().contains("\n"), e.getMessage());
  }
}
