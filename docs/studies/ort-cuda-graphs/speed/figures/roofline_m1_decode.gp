set terminal svg size 800,480 font 'Helvetica,11' noenhanced
set encoding utf8
set output 'roofline_m1_decode.svg'
set key below left
set grid
set xtics ('single_micro (1x8)' 0, 'single_long (1x128)' 1, 'batch_medium (4x64)' 2) rotate by -20
set xrange [-0.5:2.5]
set logscale y
set arrow from graph 0, first 1 to graph 1, first 1 nohead dt 2
set ylabel 'measured / roofline floor (x), mean with 95% CI'
set title 'gpt2: decode, decode_roofline_ratio (1 = floor)'
$d0 << EOD
-0.09 11.6654906 11.5709215 11.7600598
0.91 11.4191616 11.1715759 11.6667473
1.91 15.512249 15.2519999 15.7724982
EOD
$d1 << EOD
-0.03 30.7834087 29.2845498 32.2822676
0.97 34.6290804 29.4015027 39.8566581
1.97 35.2081304 32.3198571 38.0964038
EOD
$d2 << EOD
0.03 6.07463391 5.99882246 6.15044536
1.03 5.89717236 5.86732977 5.92701495
2.03 9.07924944 9.00873021 9.14976868
EOD
$d3 << EOD
0.09 19.1302793 18.5455039 19.7150547
1.09 19.2922296 18.6721188 19.9123405
2.09 21.8409066 21.3537212 22.3280919
EOD
plot $d0 using 1:2:3:4 with yerrorlines title 'onnxruntime-cuda fp16 on cuda:0 [cuda_graphs=true]', \
     $d1 using 1:2:3:4 with yerrorlines title 'onnxruntime-cuda fp16 on cuda:0 [cuda_graphs=(unset)]', \
     $d2 using 1:2:3:4 with yerrorlines title 'onnxruntime-cuda fp32 on cuda:0 [cuda_graphs=true]', \
     $d3 using 1:2:3:4 with yerrorlines title 'onnxruntime-cuda fp32 on cuda:0 [cuda_graphs=(unset)]'
