set terminal svg size 800,480 font 'Helvetica,11' noenhanced
set encoding utf8
set output 'throughput_params_prefill_s4.svg'
set key below left
set grid
set logscale xy
set xlabel 'parameters (from the manifest''s tensors)'
set ylabel 'prefill_tokens_per_s (tokens/s), mean'
set title 'prefill throughput vs size, batch_short (4x32)'
$d0 << EOD
102714 137044.159
124439808 949.552195
EOD
$d1 << EOD
102714 882150.219
124439808 163937.832
EOD
$d2 << EOD
102714 728113.676
124439808 163840.755
EOD
$d3 << EOD
102714 617737.531
124439808 77849.1073
EOD
$d4 << EOD
102714 1084869.28
124439808 25424.6145
EOD
$d5 << EOD
102714 639617.889
124439808 137802.419
EOD
$d6 << EOD
102714 97528.1056
124439808 4553.98176
EOD
$d7 << EOD
102714 143375.96
124439808 29422.6943
EOD
$d8 << EOD
102714 130664.913
124439808 49213.1539
EOD
$d9 << EOD
102714 79787.114
124439808 23898.0563
EOD
$d10 << EOD
102714 72919.9744
124439808 21664.5576
EOD
plot $d0 using 1:2 with linespoints title 'native-cpu fp32 on cpu', \
     $d1 using 1:2 with linespoints title 'native-cuda bf16 on cuda:0', \
     $d2 using 1:2 with linespoints title 'native-cuda fp16 on cuda:0', \
     $d3 using 1:2 with linespoints title 'native-cuda fp32 on cuda:0', \
     $d4 using 1:2 with linespoints title 'native-cuda fp8 on cuda:0', \
     $d5 using 1:2 with linespoints title 'native-cuda int8 on cuda:0', \
     $d6 using 1:2 with linespoints title 'onnxruntime-cpu fp32 on cpu', \
     $d7 using 1:2 with linespoints title 'transformers-compile fp16 on cuda:0', \
     $d8 using 1:2 with linespoints title 'transformers-compile fp32 on cuda:0', \
     $d9 using 1:2 with linespoints title 'transformers-eager fp16 on cuda:0', \
     $d10 using 1:2 with linespoints title 'transformers-eager fp32 on cuda:0'
