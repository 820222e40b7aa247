set terminal svg size 800,480 font 'Helvetica,11' noenhanced
set encoding utf8
set output 'throughput_params_prefill_s0.svg'
set key below left
set grid
set logscale xy
set xlabel 'parameters (from the manifest''s tensors)'
set ylabel 'prefill_tokens_per_s (tokens/s), mean'
set title 'prefill throughput vs size, single_micro (1x8)'
$d0 << EOD
102714 142095.844
124439808 1168.68997
EOD
$d1 << EOD
102714 69650.9375
124439808 11549.2347
EOD
$d2 << EOD
102714 55782.842
124439808 11418.7851
EOD
$d3 << EOD
102714 65016.2392
124439808 6903.67431
EOD
$d4 << EOD
102714 55846.3619
124439808 3341.19895
EOD
$d5 << EOD
102714 57904.9193
124439808 9128.83756
EOD
$d6 << EOD
102714 33188.2354
124439808 1042.45454
EOD
$d7 << EOD
102714 11081.7667
124439808 3188.11762
EOD
$d8 << EOD
102714 15018.7877
124439808 3419.09953
EOD
$d9 << EOD
102714 7522.33828
124439808 2767.6928
EOD
$d10 << EOD
102714 5782.76663
124439808 1666.06934
EOD
$d11 << EOD
102714 5457.36395
124439808 642.905746
EOD
$d12 << EOD
102714 4954.64415
124439808 1424.58421
EOD
plot $d0 using 1:2 with linespoints title 'native-cpu fp32 on cpu', \
     $d1 using 1:2 with linespoints title 'native-cuda bf16 on cuda:0', \
     $d2 using 1:2 with linespoints title 'native-cuda fp16 on cuda:0', \
     $d3 using 1:2 with linespoints title 'native-cuda fp32 on cuda:0', \
     $d4 using 1:2 with linespoints title 'native-cuda fp8 on cuda:0', \
     $d5 using 1:2 with linespoints title 'native-cuda int8 on cuda:0', \
     $d6 using 1:2 with linespoints title 'onnxruntime-cpu fp32 on cpu', \
     $d7 using 1:2 with linespoints title 'onnxruntime-cuda fp16 on cuda:0', \
     $d8 using 1:2 with linespoints title 'onnxruntime-cuda fp32 on cuda:0', \
     $d9 using 1:2 with linespoints title 'transformers-compile fp16 on cuda:0', \
     $d10 using 1:2 with linespoints title 'transformers-compile fp32 on cuda:0', \
     $d11 using 1:2 with linespoints title 'transformers-eager fp16 on cuda:0', \
     $d12 using 1:2 with linespoints title 'transformers-eager fp32 on cuda:0'
