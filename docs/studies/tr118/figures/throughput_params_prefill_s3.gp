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
102714 196168.665
124439808 968.521417
EOD
$d1 << EOD
102714 1048059.62
124439808 134079.591
EOD
$d2 << EOD
102714 732102.858
124439808 144589.887
EOD
$d3 << EOD
102714 785033.933
124439808 70587.5166
EOD
$d4 << EOD
102714 1223636.85
124439808 24868.9949
EOD
$d5 << EOD
102714 642017.249
124439808 123323.593
EOD
$d6 << EOD
102714 185502.909
124439808 4415.94571
EOD
$d7 << EOD
102714 74800.9677
124439808 44879.347
EOD
$d8 << EOD
102714 152869.244
124439808 45784.271
EOD
$d9 << EOD
102714 77778.2908
124439808 23915.2732
EOD
$d10 << EOD
102714 77484.5081
124439808 21467.5142
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
