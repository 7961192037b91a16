# Install rules for everything but the two executables (their own CMakeLists install
# those), and the CPack settings of the Debian package. Included from the root
# CMakeLists; `cpack -G DEB` in a build dir then writes topiary_<version>-1_<arch>.deb.
# packaging/check-package.sh builds, inspects, installs and removes that package.

include(GNUInstallDirs)

# The package needs only topiary and topiary-cli, but `all` also holds the test suite
# and benchmarks, which take long on a small machine: installing (and so cpack) must
# not build them. Build the two executables first (check-package.sh does).
set(CMAKE_SKIP_INSTALL_ALL_DEPENDENCY ON)

# Debian keeps documents under the package's name, not the project's ("Topiary").
set(TOPIARY_DOCDIR ${CMAKE_INSTALL_DATADIR}/doc/topiary)
set(TOPIARY_PACKAGING_DIR ${CMAKE_CURRENT_LIST_DIR})
set(TOPIARY_RESOURCES_DIR ${PROJECT_SOURCE_DIR}/resources)

# The sample model, its preprocessing and the 1,000 test images, so `topiary-cli eval`
# and the workbench's evaluation have something to run on when installed.
install(FILES
          ${TOPIARY_RESOURCES_DIR}/sample/fashion_cnn.onnx
          ${TOPIARY_RESOURCES_DIR}/sample/preprocess.json
          ${TOPIARY_RESOURCES_DIR}/sample/fashion-mnist-test-1000-images-idx3-ubyte
          ${TOPIARY_RESOURCES_DIR}/sample/fashion-mnist-test-1000-labels-idx1-ubyte
        DESTINATION ${CMAKE_INSTALL_DATADIR}/topiary)

# Desktop integration: menu entry, icons, software-centre metadata, file types. Only with the workbench.
if(TOPIARY_BUILD_GUI)
  install(FILES ${TOPIARY_PACKAGING_DIR}/topiary.desktop DESTINATION ${CMAKE_INSTALL_DATADIR}/applications)
  install(FILES ${TOPIARY_PACKAGING_DIR}/io.github.topiary.Topiary.metainfo.xml
          DESTINATION ${CMAKE_INSTALL_DATADIR}/metainfo)
  install(FILES ${TOPIARY_PACKAGING_DIR}/topiary-mime.xml
          DESTINATION ${CMAKE_INSTALL_DATADIR}/mime/packages RENAME topiary.xml)
  foreach(size 16 32 48 64 128 256)
    install(FILES ${TOPIARY_RESOURCES_DIR}/icons/topiary-${size}.png
            DESTINATION ${CMAKE_INSTALL_DATADIR}/icons/hicolor/${size}x${size}/apps RENAME topiary.png)
  endforeach()
  install(FILES ${TOPIARY_RESOURCES_DIR}/icons/topiary.svg
          DESTINATION ${CMAKE_INSTALL_DATADIR}/icons/hicolor/scalable/apps)
endif()

# Package metadata (set before the changelog, which quotes the version and maintainer).
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME topiary)
set(CPACK_PACKAGE_VENDOR "The Topiary authors")
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(TOPIARY_MAINTAINER "Topiary maintainers <maintainers@users.noreply.h-seed-b895deb1.example>"
    CACHE STRING "Maintainer field of the Debian package")
set(CPACK_PACKAGE_CONTACT "${TOPIARY_MAINTAINER}")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "workbench for compressing neural networks by hand")
# CPackDeb puts the summary above this as the synopsis line.
set(CPACK_DEBIAN_PACKAGE_DESCRIPTION "Topiary opens an ONNX model, shows it as a graph of layers with each layer's
weights and filter importance, and lets the user edit a per-layer plan of
pruning, quantization and low-rank factorization while size, MACs, memory and
an accuracy estimate update live. The compressed model is exported as a
smaller ONNX file that other runtimes load.
.
The package holds the workbench (topiary), the command line (topiary-cli) and
a small Fashion-MNIST sample model with 1,000 test images.")
set(CPACK_DEBIAN_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_DEBIAN_PACKAGE_RELEASE 1)
set(CPACK_DEBIAN_PACKAGE_SECTION science)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
# Depends from the libraries the executables link (dpkg-shlibdeps), so it follows the
# build machine's Debian release instead of a list kept by hand.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
# The X11 platform plugin comes with libqt6gui6; on Wayland without this one, Qt falls
# back to XWayland.
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS qt6-wayland)
set(CPACK_STRIP_FILES ON)
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)

# Documents Debian policy asks for: copyright, a compressed changelog and man pages.
# gzip -n keeps the package reproducible (no file name or time stamp in the .gz).
configure_file(${TOPIARY_PACKAGING_DIR}/changelog.Debian.in ${CMAKE_CURRENT_BINARY_DIR}/packaging/changelog.Debian @ONLY)
install(FILES ${TOPIARY_PACKAGING_DIR}/copyright DESTINATION ${TOPIARY_DOCDIR})
install(FILES ${TOPIARY_RESOURCES_DIR}/sample/TRAINING.md DESTINATION ${TOPIARY_DOCDIR}
        RENAME sample-model.md)
find_program(TOPIARY_GZIP gzip REQUIRED)
set(_topiary_gzipped
    "${CMAKE_CURRENT_BINARY_DIR}/packaging/changelog.Debian|${TOPIARY_DOCDIR}"
    "${TOPIARY_PACKAGING_DIR}/topiary.1|${CMAKE_INSTALL_MANDIR}/man1"
    "${TOPIARY_PACKAGING_DIR}/topiary-cli.1|${CMAKE_INSTALL_MANDIR}/man1"
    "${TOPIARY_PACKAGING_DIR}/topiary-train.1|${CMAKE_INSTALL_MANDIR}/man1")
foreach(entry IN LISTS _topiary_gzipped)
  string(REPLACE "|" ";" entry "${entry}")
  list(GET entry 0 source)
  list(GET entry 1 destination)
  get_filename_component(name ${source} NAME)
  install(CODE "
    set(dir \"\$ENV{DESTDIR}\${CMAKE_INSTALL_PREFIX}/${destination}\")
    file(MAKE_DIRECTORY \"\${dir}\")
    message(STATUS \"Installing: \${dir}/${name}.gz\")
    execute_process(COMMAND \"${TOPIARY_GZIP}\" -9nc \"${source}\"
                    OUTPUT_FILE \"\${dir}/${name}.gz\" RESULT_VARIABLE rc)
    if(rc)
      message(FATAL_ERROR \"gzip ${source} failed\")
    endif()
    list(APPEND CMAKE_INSTALL_MANIFEST_FILES \"\${dir}/${name}.gz\")")
endforeach()

include(CPack)
