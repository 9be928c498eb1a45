import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.context.support.DefaultProfileValidationSupport;
import ca.uhn.fhir.validation.FhirValidator;
import ca.uhn.fhir.validation.SingleValidationMessage;
import ca.uhn.fhir.validation.ValidationResult;
import com.google.gson.GsonBuilder;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.hl7.fhir.common.hapi.validation.support.CommonCodeSystemsTerminologyService;
import org.hl7.fhir.common.hapi.validation.support.InMemoryTerminologyServerValidationSupport;
import org.hl7.fhir.common.hapi.validation.support.PrePopulatedValidationSupport;
import org.hl7.fhir.common.hapi.validation.support.SnapshotGeneratingValidationSupport;
import org.hl7.fhir.common.hapi.validation.support.ValidationSupportChain;
import org.hl7.fhir.common.hapi.validation.validator.FhirInstanceValidator;
import org.hl7.fhir.instance.model.api.IBaseResource;

/**
 * Validates FHIR R4 JSON resources against the R4 core specification (HAPI FHIR's instance validator,
 * the same engine as the HL7 validator), offline: no terminology server, no package download.
 *
 *   java -cp '<libs>/*' FhirValidate.java [--definitions <dir>] <file.json | dir>...
 *
 * --definitions adds our own conformance resources (StructureDefinitions of extensions, CodeSystems) so
 * the extensions we emit are checked against their definitions instead of passing as "unknown".
 * Unknown extensions are errors: an extension nobody defined is one a receiver cannot interpret.
 *
 * Prints one JSON document on stdout: [{ file, resourceType, issues: [{ severity, location, message,
 * messageId }] }]; exits 0 when it could validate everything (the caller decides what an issue means),
 * 2 on a usage or I/O problem.
 */
public class FhirValidate {
  public static void main(String[] args) throws IOException {
    List<Path> inputs = new ArrayList<>();
    Path definitions = null;
    for (int i = 0; i < args.length; i++) {
      if (args[i].equals("--definitions") && i + 1 < args.length) definitions = Path.of(args[++i]);
      else inputs.add(Path.of(args[i]));
    }
    if (inputs.isEmpty()) {
      System.err.println("usage: FhirValidate [--definitions <dir>] <file.json | dir>...");
      System.exit(2);
    }

    FhirContext context = FhirContext.forR4();
    // Strict JSON parsing: an unknown element or a wrong primitive is an error, not something to drop.
    context.setParserErrorHandler(new ca.uhn.fhir.parser.StrictErrorHandler());
    ValidationSupportChain chain = new ValidationSupportChain(
        new DefaultProfileValidationSupport(context),
        new SnapshotGeneratingValidationSupport(context),
        new InMemoryTerminologyServerValidationSupport(context),
        new CommonCodeSystemsTerminologyService(context));
    if (definitions != null) chain.addValidationSupport(0, ourDefinitions(context, definitions));

    FhirInstanceValidator module = new FhirInstanceValidator(chain);
    module.setAnyExtensionsAllowed(false);
    module.setNoTerminologyChecks(false);
    FhirValidator validator = context.newValidator().registerValidatorModule(module);

    List<Map<String, Object>> report = new ArrayList<>();
    for (Path file : jsonFiles(inputs)) {
      String text = Files.readString(file, StandardCharsets.UTF_8);
      ValidationResult result = validator.validateWithResult(text);
      List<Map<String, Object>> issues = new ArrayList<>();
      for (SingleValidationMessage m : result.getMessages()) {
        Map<String, Object> issue = new LinkedHashMap<>();
        issue.put("severity", m.getSeverity().getCode());
        issue.put("location", m.getLocationString());
        issue.put("message", m.getMessage());
        issue.put("messageId", m.getMessageId());
        issues.add(issue);
      }
      Map<String, Object> entry = new LinkedHashMap<>();
      entry.put("file", file.toString());
      entry.put("resourceType", resourceTypeOf(text));
      entry.put("issues", issues);
      report.add(entry);
    }
    System.out.println(new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().create().toJson(report));
  }

  private static PrePopulatedValidationSupport ourDefinitions(FhirContext context, Path dir) throws IOException {
    PrePopulatedValidationSupport support = new PrePopulatedValidationSupport(context);
    for (Path file : jsonFiles(List.of(dir))) {
      IBaseResource resource = context.newJsonParser().parseResource(Files.readString(file, StandardCharsets.UTF_8));
      support.addResource(resource);
    }
    return support;
  }

  private static List<Path> jsonFiles(List<Path> inputs) throws IOException {
    List<Path> files = new ArrayList<>();
    for (Path input : inputs) {
      if (Files.isDirectory(input)) {
        try (Stream<Path> walk = Files.walk(input)) {
          walk.filter(p -> p.toString().endsWith(".json")).sorted().forEach(files::add);
        }
      } else files.add(input);
    }
    return files;
  }

  private static String resourceTypeOf(String json) {
    var matcher = java.util.regex.Pattern.compile("\"resourceType\"\\s*:\\s*\"([A-Za-z]+)\"").matcher(json);
    return matcher.find() ? matcher.group(1) : null;
  }
}
