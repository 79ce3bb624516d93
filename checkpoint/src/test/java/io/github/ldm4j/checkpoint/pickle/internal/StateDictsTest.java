package io.github.ldm4j.checkpoint.pickle.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class StateDictsTest {

  @ParameterizedTest
  @CsvSource({
    "0.0001, 0.0001",
    "0.00001, 1e-05",
    "1.5, 1.5",
    "100.0, 100.0",
    "1e15, 1000000000000000.0",
    "1e16, 1e+16",
    "1.25e-7, 1.25e-07",
    "-2.5e100, -2.5e+100",
    "0.1, 0.1",
  })
  void floatsAsPythonWritesThem(double value, String python) {
    assertThat(StateDicts.pythonFloat(value)).isEqualTo(python);
  }

  @Test
  void scalarsAsPythonStrWritesThem() {
    assertThat(StateDicts.pythonStr(true)).isEqualTo("True");
    assertThat(StateDicts.pythonStr(1234L)).isEqualTo("1234");
    assertThat(StateDicts.pythonStr(BigInteger.TEN.pow(30))).isEqualTo("1" + "0".repeat(30));
    assertThat(StateDicts.pythonStr("1.4.2")).isEqualTo("1.4.2");
    assertThat(StateDicts.pythonStr(Double.NaN)).isEqualTo("nan");
    assertThat(StateDicts.pythonStr(-0.0)).isEqualTo("-0.0");
    assertThat(StateDicts.pythonStr(null)).isNull();
    assertThat(StateDicts.pythonStr(new PickleDict())).isNull();
  }
}
