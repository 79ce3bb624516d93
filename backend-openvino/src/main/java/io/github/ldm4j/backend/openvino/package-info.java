/** The Intel OpenVINO backend, bound with the Foreign Function and Memory API. (Being built; see its issue.) */
package io.github.ldm4j.backend.openvino;
