/**
 * Vendors' private storage SOP classes accepted by default (`dicom.privateStorageSopClasses` replaces
 * the list). Scanners send these within their studies — a Siemens MR study holds its spectroscopy and
 * raw data as CSA Non-Image objects — and an archive that refuses them loses part of the study. The
 * UIDs are those the DICOM toolkits (DCMTK's dcuid.h, dcm4che) list as private storage classes; the
 * private non-storage classes they list too (Agfa's dictation and report transactions) are left out.
 */
export const DEFAULT_PRIVATE_STORAGE_SOP_CLASSES: readonly string[] = [
  // Siemens
  '1.3.12.2.1107.5.9.1', // CSA Non-Image Storage
  '1.3.12.2.1107.5.99.3.10', // CT MR Volume Storage
  '1.3.12.2.1107.5.99.3.11', // AX Frame Sets Storage
  // Philips
  '1.2.840.113543.6.6.1.3.10001', // HP Live 3D 01 Storage
  '1.2.840.113543.6.6.1.3.10002', // HP Live 3D 02 Storage
  '1.3.46.670589.2.3.1.1', // Specialised XA Storage
  '1.3.46.670589.2.4.1.1', // CX Image Storage
  '1.3.46.670589.2.5.1.1', // 3D Presentation State Storage
  '1.3.46.670589.2.8.1.1', // VRML Storage
  '1.3.46.670589.2.11.1.1', // Volume Set Storage
  '1.3.46.670589.5.0.1', // Volume Storage (retired)
  '1.3.46.670589.5.0.1.1', // Volume Storage
  '1.3.46.670589.5.0.2', // 3D Object Storage (retired)
  '1.3.46.670589.5.0.2.1', // 3D Object Storage
  '1.3.46.670589.5.0.3', // Surface Storage (retired)
  '1.3.46.670589.5.0.3.1', // Surface Storage
  '1.3.46.670589.5.0.4', // Composite Object Storage
  '1.3.46.670589.5.0.7', // MR Cardio Profile Storage
  '1.3.46.670589.5.0.8', // MR Cardio Storage (retired)
  '1.3.46.670589.5.0.8.1', // MR Cardio Storage
  '1.3.46.670589.5.0.9', // CT Synthetic Image Storage
  '1.3.46.670589.5.0.10', // MR Synthetic Image Storage
  '1.3.46.670589.5.0.11', // MR Cardio Analysis Storage (retired)
  '1.3.46.670589.5.0.11.1', // MR Cardio Analysis Storage
  '1.3.46.670589.5.0.12', // CX Synthetic Image Storage
  '1.3.46.670589.5.0.13', // Perfusion Storage
  '1.3.46.670589.5.0.14', // Perfusion Image Storage
  '1.3.46.670589.7.8.1618510091', // X-Ray MF Storage
  '1.3.46.670589.7.8.1618510092', // Live Run Storage
  '1.3.46.670589.7.8.16185100129', // Run Storage
  '1.3.46.670589.7.8.16185100130', // Reconstruction Storage
  '1.3.46.670589.11.0.0.12.1', // MR Spectrum Storage
  '1.3.46.670589.11.0.0.12.2', // MR Series Data Storage
  '1.3.46.670589.11.0.0.12.3', // MR Color Image Storage
  '1.3.46.670589.11.0.0.12.4', // MR Examcard Storage
  // GE
  '1.2.840.113619.4.2', // Dicom MR Image Info Object
  '1.2.840.113619.4.3', // Dicom CT Image Info Object
  '1.2.840.113619.4.4', // Dicom Display Image Info Object
  '1.2.840.113619.4.26', // 3D Model Storage
  '1.2.840.113619.4.27', // eNTEGRA Protocol or NM Genie Storage
  '1.2.840.113619.4.30', // PET Raw Data Storage
  '1.2.840.113619.4.5.249', // RT Plan Storage
  '1.2.528.1.1001.5.1.1.1', // Collage Storage
  // Toshiba (Canon), Fuji, Agfa
  '1.2.392.200036.9116.7.8.1.1.1', // Toshiba US Image Storage
  '1.2.392.200036.9125.1.1.2', // Fuji CR Image Storage
  '1.2.124.113532.3500.7', // Agfa Basic Attribute Presentation State
  // Others
  '1.2.276.0.48.5.1.4.1.1.7', // TomTec Annotation Storage
  '1.2.826.0.1.3680043.293.1.0.1', // ERAD Practice Builder Report Text Storage
  '1.2.826.0.1.3680043.293.1.0.2', // ERAD Practice Builder Report Dictation Storage
  '1.3.6.1.4.1.5962.301.1', // PixelMed Legacy Converted Enhanced CT Image Storage
  '1.3.6.1.4.1.5962.301.2', // PixelMed Legacy Converted Enhanced MR Image Storage
  '1.3.6.1.4.1.5962.301.3', // PixelMed Legacy Converted Enhanced PET Image Storage
  '1.3.6.1.4.1.5962.301.9', // PixelMed Floating Point Image Storage
  '2.16.840.1.114033.5.1.4.1.1.130', // PMOD Multi-frame Image Storage
];
