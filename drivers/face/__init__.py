"""Face biometrics on camera frames: detection, quality, guidance, liveness and 1:1 matching.

Modules: ``detect`` (YuNet, the bundled model), ``geometry`` (pose proxies, the GA 461 ID-photo
transform), ``quality``, ``guidance``, ``analysis`` (per-frame verdict, ID photo), ``liveness``
(active challenge, replay cues, the :data:`~.liveness.liveness_sensors` registry) and
``matcher`` / ``dlib_matcher`` (the :data:`~.matcher.matcher_backends` registry and its default
backend). It works on :class:`drivers.camera.Frame` and is, with :mod:`drivers.camera`, the only
package that imports OpenCV (``cv2``). Nothing is imported here, so importing the package is cheap;
callers import the module they need. Pure computation on the calling thread (the kiosk's face
worker), except where a docstring says otherwise.
"""
