set terminal svg size 800,480 font 'Helvetica,11' noenhanced
set encoding utf8
set output 'throughput_params_prefill_s3.svg'
set key below left
set grid
set logscale xy
set xlabel 'parameters (from the manifest''s tensors)'
set ylabel 'prefill_tokens_per_s (tokens/s), mean'
set title 'prefill throughput vs size, single_long (1x128)'
$d0 << EOD
102714 460028.947
124439808 4783.08931
EOD
$d1 << EOD
102714 1782981.21
124439808 205666.841
EOD
$d2 << EOD
102714 1928819.55
124439808 206940.106
EOD
$d3 << EOD
102714 1536868.54
124439808 90282.5546
EOD
$d4 << EOD
102714 1682432.2
124439808 146605.255
EOD
$d5 << EOD
102714 1831893.47
124439808 166866.475
EOD
$d6 << EOD
102714 233038.318
124439808 3475.00765
EOD
$d7 << EOD
102714 126749.007
124439808 55486.8337
EOD
$d8 << EOD
102714 202619.316
124439808 22381.453
EOD
$d9 << EOD
102714 146987.6
124439808 55060.3245
EOD
$d10 << EOD
102714 194288.527
124439808 50392.6558
EOD
$d11 << EOD
102714 133984.766
124439808 27719.5517
EOD
$d12 << EOD
102714 136441.381
124439808 22951.8195
EOD
$d13 << EOD
102714 78166.141
124439808 22023.3061
EOD
$d14 << EOD
102714 41439.4634
124439808 18106.5343
EOD
plot $d0 using 1:2 with linespoints title 'native-cpu fp32 on cpu', \
     $d1 using 1:2 with linespoints title 'native-cuda bf16 on cuda:0', \
     $d2 using 1:2 with linespoints title 'native-cuda fp16 on cuda:0', \
     $d3 using 1:2 with linespoints title 'native-cuda fp32 on cuda:0', \
     $d4 using 1:2 with linespoints title 'native-cuda fp8 on cuda:0', \
     $d5 using 1:2 with linespoints title 'native-cuda int8 on cuda:0', \
     $d6 using 1:2 with linespoints title 'onnxruntime-cpu fp32 on cpu', \
     $d7 using 1:2 with linespoints title 'onnxruntime-cuda fp16 on cuda:0 [cuda_graphs=true]', \
     $d8 using 1:2 with linespoints title 'onnxruntime-cuda fp16 on cuda:0 [cuda_graphs=(unset)]', \
     $d9 using 1:2 with linespoints title 'onnxruntime-cuda fp32 on cuda:0 [cuda_graphs=true]', \
     $d10 using 1:2 with linespoints title 'onnxruntime-cuda fp32 on cuda:0 [cuda_graphs=(unset)]', \
     $d11 using 1:2 with linespoints title 'transformers-compile fp16 on cuda:0', \
     $d12 using 1:2 with linespoints title 'transformers-compile fp32 on cuda:0', \
     $d13 using 1:2 with linespoints title 'transformers-eager fp16 on cuda:0', \
     $d14 using 1:2 with linespoints title 'transformers-eager fp32 on cuda:0'
