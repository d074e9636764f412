#!/usr/bin/env bash
# Builds, from the official opencv-python-headless sdist, an OpenCV wheel holding only what the
# terminal calls (drivers/: camera over V4L2, face detection with FaceDetectorYN, the document
# camera's page finding and rectification, JPEG/WebP/PNG coding). The PyPI wheel also carries
# FFmpeg and OpenBLAS (~95 MiB of shared libraries, all loaded by cv2) that the terminal never
# uses; this one is for the frozen bundle only (`make bundle`), the dev/test venv keeps PyPI's.
#
# Usage: tools/build-opencv-wheel.sh PYTHON VERSION OUTDIR
# Took 20 min with two jobs on a shared 2-core machine; the Makefile runs it only once (a stamp).
set -euo pipefail
python=$1 version=$2 outdir=$3

modules=(
  core imgproc imgcodecs videoio  # frames, colour, resize, warps, contours, JPEG, V4L2 capture
  dnn objdetect                   # FaceDetectorYN (ONNX YuNet model through dnn)
  features geometry flann         # what objdetect and imgproc require in OpenCV 5
  python3
)
cmake_args=(
  "-DBUILD_LIST=$(IFS=,; echo "${modules[*]}")"
  -DWITH_V4L=ON
  # Video files and streams: the camera is V4L2; the MJPEG AVI the simulated camera plays is
  # read by OpenCV's own MJPEG backend, no FFmpeg needed.
  -DWITH_FFMPEG=OFF -DWITH_GSTREAMER=OFF -DWITH_1394=OFF -DWITH_VA=OFF -DWITH_VA_INTEL=OFF
  -DWITH_OBSENSOR=OFF
  # No LAPACK/BLAS (OpenBLAS + libgfortran in the PyPI wheel): nothing called needs it.
  -DWITH_LAPACK=OFF -DWITH_EIGEN=OFF
  # Image formats: JPEG (scans, photos), PNG (sample scenes, tests), WebP (a scan format option),
  # all built in statically; none of the others.
  -DBUILD_JPEG=ON -DBUILD_PNG=ON -DWITH_WEBP=ON -DBUILD_WEBP=ON
  -DWITH_AVIF=OFF -DWITH_TIFF=OFF -DWITH_OPENEXR=OFF -DBUILD_OPENEXR=OFF -DWITH_JASPER=OFF
  -DWITH_OPENJPEG=OFF -DWITH_JPEGXL=OFF -DWITH_GDAL=OFF -DWITH_GDCM=OFF -DWITH_SPNG=OFF
  # No GPU paths and no downloads at configure time (IPP-ICV is fetched from the network).
  -DWITH_OPENCL=OFF -DWITH_CUDA=OFF -DWITH_IPP=OFF -DWITH_ITT=OFF -DWITH_VTK=OFF
  -DWITH_QUIRC=OFF -DWITH_ADE=OFF -DWITH_FLATBUFFERS=OFF
  -DBUILD_TESTS=OFF -DBUILD_PERF_TESTS=OFF -DBUILD_EXAMPLES=OFF -DBUILD_DOCS=OFF
  -DENABLE_PRECOMPILED_HEADERS=OFF
)

mkdir -p "$outdir"
export ENABLE_HEADLESS=1 CMAKE_ARGS="${cmake_args[*]}"
# Two jobs at most whatever generator scikit-build picks (make or ninja). No pip cache: it would
# hand back a wheel built with other CMAKE_ARGS (it keys on the sdist, not the options).
export CMAKE_BUILD_PARALLEL_LEVEL=${OPENCV_BUILD_JOBS:-2} MAKEFLAGS=-j${OPENCV_BUILD_JOBS:-2}
nice "$python" -m pip wheel --no-binary opencv-python-headless --no-deps --no-cache-dir -v \
  -w "$outdir" "opencv-python-headless==$version"
