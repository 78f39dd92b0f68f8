// PixelMed (Debian libpixelmed-java) as C-FIND and C-GET SCU, for dimse-interop-pixelmed.int.test.ts.
// Run as a single source file: java -cp pixelmed.jar:javax.json.jar pixelmed-peer.java MODE ...
// The toolkit's own command-line classes cannot do these: FindSOPClassSCU's main sends a fixed query,
// and GetSOPClassSCU's main offers every storage SOP class, more presentation contexts than fit.
//
//   find HOST PORT CALLED CALLING SOPCLASS  < one identifier (DICOM JSON) per line
//        prints, per identifier, one line: the matches as a JSON array (PixelMed's DICOM JSON)
//   get HOST PORT CALLED CALLING SOPCLASS DIR STORAGE_SOPCLASS[,...]  < one identifier (DICOM JSON)
//        prints "RECEIVED <file> <transfer syntax>" for each instance stored back

import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.DicomException;
import com.pixelmed.dicom.JSONRepresentationOfDicomObjectFactory;
import com.pixelmed.dicom.StoredFilePathStrategy;
import com.pixelmed.network.Association;
import com.pixelmed.network.FindSOPClassSCU;
import com.pixelmed.network.GetSOPClassSCU;
import com.pixelmed.network.IdentifierHandler;
import com.pixelmed.network.ReceivedObjectHandler;
import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import javax.json.Json;
import javax.json.JsonArrayBuilder;

public class PixelmedPeer {
  public static void main(String[] args) throws Exception {
    String mode = args[0];
    String host = args[1];
    int port = Integer.parseInt(args[2]);
    String called = args[3];
    String calling = args[4];
    String sopClass = args[5];
    JSONRepresentationOfDicomObjectFactory json = new JSONRepresentationOfDicomObjectFactory();
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    if (mode.equals("find")) {
      // One association for all the queries: a JVM and an association per query would be slow.
      Association association = FindSOPClassSCU.getSuitableAssociation(host, port, called, calling, sopClass);
      for (String line; (line = in.readLine()) != null; ) {
        if (line.isBlank()) continue;
        AttributeList identifier = json.getAttributeList(Json.createReader(new StringReader(line)).readArray());
        JsonArrayBuilder matches = Json.createArrayBuilder();
        new FindSOPClassSCU(association, sopClass, identifier, new IdentifierHandler() {
          @Override
          public void doSomethingWithIdentifier(AttributeList match) throws DicomException {
            matches.add(json.getDocument(match).get(0));
          }
        });
        System.out.println(matches.build());
      }
      association.release();
    } else if (mode.equals("get")) {
      File dir = new File(args[6]);
      Set<String> storageClasses = Set.of(args[7].split(","));
      AttributeList identifier = json.getAttributeList(Json.createReader(new StringReader(in.readLine())).readArray());
      new GetSOPClassSCU(host, port, called, calling, sopClass, identifier, new IdentifierHandler(), dir,
          StoredFilePathStrategy.BYSOPINSTANCEUIDINSINGLEFOLDER, new ReceivedObjectHandler() {
            @Override
            public void sendReceivedObjectIndication(String file, String transferSyntax, String from) {
              System.out.println("RECEIVED " + file + " " + transferSyntax);
            }
          }, storageClasses, true, false, false);
    } else {
      throw new IllegalArgumentException("unknown mode " + mode);
    }
  }
}
